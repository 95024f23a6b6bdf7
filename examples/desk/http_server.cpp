// See http_server.hpp: httplib's connections on a loop and a Stream of our own.
#include "http_server.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>

namespace desk {

namespace {

using clock = std::chrono::steady_clock;
constexpr auto stop_check = std::chrono::milliseconds(50);  // how often a wait looks at the server's stop
constexpr std::size_t max_drain = 256 * 1024;  // read and dropped after a refusal, before closing

std::string address(const sockaddr_storage& addr, int& port)
{
    char text[INET6_ADDRSTRLEN] = "";
    if (addr.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
        inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
        port = ntohs(a.sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
        inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
        port = ntohs(a.sin6_port);
    }
    return text;
}

// One connection's socket as an httplib::Stream: reads are buffered, counted
// against the request's budget and bounded by its deadline; every wait ends
// when the server stops (its listening socket is gone).
class connection final : public httplib::Stream {
public:
    connection(socket_t fd, const http_limits& limits, const std::atomic<socket_t>& listener)
        : fd_(fd), limits_(limits), listener_(listener) {}

    // Waits (up to idle) for the next request, then opens its budget.
    bool next_request()
    {
        if (off_ == len_ && !wait(POLLIN, clock::now() + limits_.idle)) return false;
        budget_ = limits_.max_request;
        deadline_ = clock::now() + limits_.request_time;
        status_ = 0;
        return true;
    }
    int status() const { return status_; }  // of the last reply written

    // After the last reply: no more from us; read (and drop) what the peer
    // still sends for a moment, so that it sees the reply before a reset.
    void linger()
    {
        ::shutdown(fd_, SHUT_WR);
        const auto until = clock::now() + std::chrono::milliseconds(500);
        for (std::size_t dropped = 0; dropped < max_drain && wait(POLLIN, until);) {
            const auto n = ::recv(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT);
            if (n <= 0) break;
            dropped += static_cast<std::size_t>(n);
        }
    }

    bool is_readable() const override { return off_ < len_ || wait(POLLIN, deadline_); }
    bool is_writable() const override { return wait(POLLOUT, clock::now() + limits_.write_time) && alive(); }

    ssize_t read(char* ptr, size_t size) override
    {
        if (off_ == len_) {
            if (budget_ == 0 || !wait(POLLIN, deadline_)) return -1;  // too long, too slow, or stopping
            const auto n = ::recv(fd_, buf_.data(), std::min(buf_.size(), budget_), MSG_DONTWAIT);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) return read(ptr, size);
            if (n <= 0) return n;
            budget_ -= static_cast<std::size_t>(n);
            off_ = 0;
            len_ = static_cast<std::size_t>(n);
        }
        const auto n = std::min(size, len_ - off_);
        std::memcpy(ptr, buf_.data() + off_, n);
        off_ += n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override
    {
        constexpr std::string_view status_line = "HTTP/1.1 ";
        if (size >= status_line.size() + 3 && std::string_view(ptr, status_line.size()) == status_line)
            status_ = std::atoi(std::string(ptr + status_line.size(), 3).c_str());
        if (!wait(POLLOUT, clock::now() + limits_.write_time)) return -1;
        const auto n = ::send(fd_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
        return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : n;
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override
    {
        sockaddr_storage addr{};
        socklen_t size = sizeof addr;
        if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &size) == 0) ip = address(addr, port);
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override
    {
        sockaddr_storage addr{};
        socklen_t size = sizeof addr;
        if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &size) == 0) ip = address(addr, port);
    }
    socket_t socket() const override { return fd_; }

private:
    // True when fd_ is ready for events before deadline (and the server runs).
    bool wait(short events, clock::time_point deadline) const
    {
        while (listener_ != INVALID_SOCKET) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            if (left.count() < 0) return false;
            pollfd p{fd_, events, 0};
            const int n = ::poll(&p, 1, static_cast<int>(std::min(left, stop_check).count()));
            if (n > 0) return true;
            if (n < 0 && errno != EINTR) return false;
        }
        return false;
    }
    // False once the peer has closed its end (an event stream's reader left).
    bool alive() const
    {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return true;
        char byte;
        return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
    }

    socket_t fd_;
    const http_limits& limits_;
    const std::atomic<socket_t>& listener_;
    std::array<char, 4096> buf_{};
    std::size_t off_ = 0, len_ = 0;
    std::size_t budget_ = 0;
    clock::time_point deadline_{};
    int status_ = 0;
};

}  // namespace

http_server::http_server(http_limits limits) : limits_(limits)
{
    new_task_queue = [this] { return new httplib::ThreadPool(limits_.threads); };
    set_socket_options([](socket_t fd) {
        int yes = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
}

int http_server::bind(const std::string& host, int port)
{
    const int bound = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
    if (bound > 0) ::listen(svr_sock_, limits_.backlog);  // httplib listens with a backlog of 5
    return bound;
}

bool http_server::process_and_close_socket(socket_t sock)
{
    connection strm(sock, limits_, svr_sock_);
    bool ok = true;
    for (int n = 1; n <= limits_.requests_per_connection && strm.next_request(); ++n) {
        bool closed = false;
        ok = serve(strm, n == limits_.requests_per_connection, closed);
        if (!ok || closed) break;
        if (strm.status() >= 400) {
            strm.linger();
            break;
        }
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
}

// httplib's process_request, whose parameters changed in 0.15.
bool http_server::serve(httplib::Stream& strm, bool last, bool& closed)
{
    auto call = [&](auto& self) {
        if constexpr (requires { self.process_request(strm, last, closed, nullptr); }) {
            return self.process_request(strm, last, closed, nullptr);
        } else {
            std::string remote, local;
            int remote_port = 0, local_port = 0;
            strm.get_remote_ip_and_port(remote, remote_port);
            strm.get_local_ip_and_port(local, local_port);
            return self.process_request(strm, remote, remote_port, local, local_port, last, closed, nullptr);
        }
    };
    return call(*this);
}

}  // namespace desk
