// Peers that are not well-behaved ZeroMQ programs, for the tests labelled
// `hostile`: a raw TCP connection (a port scan, nc, a browser, a reader that
// stops reading), and the memory a server process holds (RSS from /proc).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace support {

using namespace std::chrono_literals;

// One TCP connection to a "tcp://host:port" or "host:port" address.
class raw_tcp {
public:
    // rcvbuf > 0: SO_RCVBUF set before connecting (a small window makes a
    // reader that stops reading stall its peer's sends quickly).
    explicit raw_tcp(const std::string& address, int rcvbuf = 0);
    ~raw_tcp();
    raw_tcp(const raw_tcp&) = delete;
    raw_tcp& operator=(const raw_tcp&) = delete;

    // Sends everything (bounded wait); false when the peer closed or timed out.
    bool send(std::string_view bytes, std::chrono::milliseconds timeout = 5s);
    // Reads until text appears in what was received since the last match
    // (kept in received()); false on timeout or when the peer closes.
    bool wait_for(std::string_view text, std::chrono::milliseconds timeout = 5s);
    // Whatever arrives within timeout (at most max bytes).
    std::string read_some(std::chrono::milliseconds timeout = 200ms, std::size_t max = 65536);
    // True when the peer closed the connection (EOF or reset) within timeout.
    bool closed_by_peer(std::chrono::milliseconds timeout = 5s);
    void close();  // orderly close (FIN)
    void reset();  // abortive close (RST), as a vanished laptop's kernel would
    const std::string& received() const { return received_; }
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    std::string received_;
    std::size_t matched_ = 0;
};

// Resident set size of a process in KiB (VmRSS in /proc/PID/status); nullopt
// when the process is gone.
std::optional<long> rss_kib(pid_t pid);
// The most it has held since it started (VmHWM).
std::optional<long> peak_rss_kib(pid_t pid);

// "tcp://127.0.0.1:4242" -> "127.0.0.1:4242".
std::string host_port(const std::string& endpoint);

}  // namespace support
