// Helpers for the chat's process tests: start a server and clients, a raw
// DEALER that speaks the protocol by hand, a raw TCP peer (what nc does),
// and a TCP relay that records the bytes on the wire.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "endpoints.hpp"
#include "process.hpp"

namespace chat_test {

using namespace std::chrono_literals;
using support::process;

// Waits for a line; fails the test with the program's output if it never comes.
std::string expect_line(process& p, std::string_view text, std::chrono::milliseconds timeout = 15s);
// The same, showing also what `other` printed (the server a client waits on:
// a client that hears nothing may have a server that died).
std::string expect_line(process& p, std::string_view text, process* other, std::chrono::milliseconds timeout = 15s);

struct server {
    std::unique_ptr<process> proc;
    std::string commands, broadcasts;
};
server start_server_at(const std::string& commands, const std::string& broadcasts, std::vector<std::string> extra = {});
server start_server(const std::string& transport, const support::private_dir& dir, std::vector<std::string> extra = {});

// A chat-client whose stdin the test writes; ready once it saw its own JOINED.
std::unique_ptr<process> start_client(const server& s, const std::string& handle, std::vector<std::string> extra = {},
                                      bool wait_ready = true);

// A DEALER the test drives frame by frame.
class raw_client {
public:
    raw_client(zmq::context_t& ctx, const std::string& endpoint);
    // Sends the frames, returns the reply's frames (empty if none within the timeout).
    std::vector<std::string> ask(const std::vector<std::string>& frames, std::chrono::milliseconds timeout = 5s);
    void send(const std::vector<std::string>& frames);
    zmq::socket_t& socket() { return dealer_; }

private:
    zmq::socket_t dealer_;
};

// A plain TCP connection, as nc makes.
class tcp_peer {
public:
    explicit tcp_peer(const std::string& endpoint);  // tcp://HOST:PORT
    ~tcp_peer();
    void send(std::string_view bytes);
    // Reads until text has arrived (in everything read so far); false on timeout or EOF.
    bool read_until(std::string_view text, std::chrono::milliseconds timeout = 10s);
    bool closed_by_peer(std::chrono::milliseconds timeout = 5s);  // EOF seen
    const std::string& received() const { return received_; }

private:
    int fd_ = -1;
    std::string received_;
};

// Listens on 127.0.0.1, forwards every connection to target, records both directions.
class tcp_relay {
public:
    explicit tcp_relay(const std::string& target);  // tcp://HOST:PORT
    ~tcp_relay();
    const std::string& endpoint() const { return endpoint_; }
    std::string bytes() const;

private:
    void run();
    int listener_ = -1;
    std::string endpoint_, host_;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::string bytes_;
    std::thread thread_;
};

int port_of(const std::string& endpoint);

}  // namespace chat_test
