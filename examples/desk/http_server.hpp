// An httplib::Server that one client cannot bloat or starve. cpp-httplib
// reads a request line, a header or a chunked body for as long as the peer
// sends one, and serves connections on a pool of 8 threads; this server runs
// each connection (httplib's process_and_close_socket) through a loop of its
// own, over a Stream that gives every request a byte budget and a deadline:
//   - a request (line, headers and body) is at most max_request bytes and
//     arrives within request_time, or the connection is closed;
//   - an idle keep-alive connection is closed after idle;
//   - a connection whose request was refused (a 4xx or 5xx reply) is closed
//     after the reply: its body, unread, is not taken for the next request;
//   - threads connections at once, each on a thread of its own;
//   - every wait looks at the server's stop every 50 ms.
// Works with the cpp-httplib of Debian 12 (0.11), Ubuntu 24.04 (0.14) and
// Debian 13 (0.18).
#pragma once

#include <chrono>
#include <cstddef>
#include <httplib.h>
#include <string>

namespace desk {

struct http_limits {
    std::size_t max_request = 16 * 1024;
    std::chrono::milliseconds request_time{5000};
    std::chrono::milliseconds idle{5000};
    std::chrono::milliseconds write_time{5000};  // for a reader that stops reading
    std::size_t threads = 256;
    int backlog = 256;
    int requests_per_connection = 100;
};

class http_server : public httplib::Server {
public:
    explicit http_server(http_limits limits = {});
    // Listens on host:port (0: any free port) with SO_REUSEADDR, not httplib's
    // SO_REUSEPORT (which lets a second desk share the port). Returns the port, or -1.
    int bind(const std::string& host, int port);

private:
    bool process_and_close_socket(socket_t sock) override;
    bool serve(httplib::Stream& strm, bool last, bool& closed);

    http_limits limits_;
};

}  // namespace desk
