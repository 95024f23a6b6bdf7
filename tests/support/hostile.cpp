#include "hostile.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace support {

using clock = std::chrono::steady_clock;

std::string host_port(const std::string& endpoint)
{
    const auto scheme = endpoint.find("://");
    return scheme == std::string::npos ? endpoint : endpoint.substr(scheme + 3);
}

raw_tcp::raw_tcp(const std::string& address, int rcvbuf)
{
    const auto hp = host_port(address);
    const auto colon = hp.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("raw_tcp: no port in " + address);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(hp.substr(0, colon).c_str(), hp.substr(colon + 1).c_str(), &hints, &found) != 0)
        throw std::runtime_error("raw_tcp: cannot resolve " + address);
    fd_ = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ >= 0 && rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    const int rc = fd_ < 0 ? -1 : ::connect(fd_, found->ai_addr, found->ai_addrlen);
    ::freeaddrinfo(found);
    if (rc != 0) {
        const std::string why = std::strerror(errno);
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("raw_tcp: cannot connect to " + address + ": " + why);
    }
}

raw_tcp::~raw_tcp()
{
    if (fd_ >= 0) ::close(fd_);
}

bool raw_tcp::send(std::string_view bytes, std::chrono::milliseconds timeout)
{
    const auto deadline = clock::now() + timeout;
    while (!bytes.empty() && fd_ >= 0) {
        const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left <= 0ms) return false;
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, static_cast<int>(left.count()));
    }
    return bytes.empty();
}

std::string raw_tcp::read_some(std::chrono::milliseconds timeout, std::size_t max)
{
    std::string got;
    if (fd_ < 0) return got;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return got;
    got.resize(max);
    const auto n = ::recv(fd_, got.data(), max, MSG_DONTWAIT);
    got.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    received_ += got;
    return got;
}

bool raw_tcp::wait_for(std::string_view text, std::chrono::milliseconds timeout)
{
    const auto deadline = clock::now() + timeout;
    for (;;) {
        const auto at = received_.find(text, matched_);
        if (at != std::string::npos) {
            matched_ = at + text.size();
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left <= 0ms || fd_ < 0) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[65536];
        const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
        if (n > 0) received_.append(buf, static_cast<std::size_t>(n));
    }
}

bool raw_tcp::closed_by_peer(std::chrono::milliseconds timeout)
{
    const auto deadline = clock::now() + timeout;
    while (fd_ >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
        if (left <= 0ms) return false;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[65536];
        const auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return true;
        if (n > 0) received_.append(buf, static_cast<std::size_t>(n));
    }
    return true;
}

void raw_tcp::close()
{
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void raw_tcp::reset()
{
    if (fd_ < 0) return;
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    ::close(fd_);
    fd_ = -1;
}

namespace {

// A "Name:   1234 kB" line of /proc/PID/status.
std::optional<long> status_kib(pid_t pid, std::string_view name)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.starts_with(name) && line.size() > name.size() && line[name.size()] == ':')
            return std::stol(line.substr(name.size() + 1));
    return std::nullopt;
}

}  // namespace

std::optional<long> rss_kib(pid_t pid) { return status_kib(pid, "VmRSS"); }

std::optional<long> peak_rss_kib(pid_t pid) { return status_kib(pid, "VmHWM"); }

}  // namespace support
