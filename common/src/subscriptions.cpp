#include "common/subscriptions.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstddef>
#include <optional>
#include <netinet/in.h>
#include <sys/socket.h>
#ifdef __linux__
#include <linux/tcp.h>  // struct tcp_info with tcpi_bytes_received (glibc's has no such field)
#endif

namespace common {

namespace {

// "ip:port" of the connection's peer, "" when fd is not a connected socket.
std::string peer_of(int fd)
{
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
    char host[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(addr);
        ::inet_ntop(AF_INET, &in.sin_addr, host, sizeof host);
        return std::string(host) + ":" + std::to_string(ntohs(in.sin_port));
    }
    if (addr.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(addr);
        ::inet_ntop(AF_INET6, &in6.sin6_addr, host, sizeof host);
        return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6.sin6_port));
    }
    return {};
}

// Bytes the kernel has received on a tcp connection; nullopt if unknown.
std::optional<std::uint64_t> bytes_received(int fd)
{
#ifdef __linux__
    tcp_info info{};
    socklen_t len = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
    if (len < offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) return std::nullopt;
    return info.tcpi_bytes_received;
#else
    (void)fd;
    return std::nullopt;
#endif
}

std::string kib(std::uint64_t bytes) { return std::to_string(bytes / 1024) + " KiB"; }

}  // namespace

subscription_budget::subscription_budget(std::string label, const console& out, subscription_limits limits)
    : label_(std::move(label)), out_(out), limits_(limits)
{
}

void subscription_budget::on_event(std::uint16_t event, std::uint32_t value, std::string_view endpoint)
{
    const int fd = static_cast<int>(value);
    if (event == ZMQ_EVENT_ACCEPTED && endpoint.starts_with("tcp://")) {
        // A new connection may have the number of one that just left, whose
        // DISCONNECTED is still to come: this one replaces it.
        if (auto address = peer_of(fd); !address.empty()) peers_[fd] = {std::move(address)};
    } else if (event == ZMQ_EVENT_DISCONNECTED || event == ZMQ_EVENT_CLOSED) {
        peers_.erase(fd);
    }
}

void subscription_budget::check()
{
    std::uint64_t total = 0;
    int biggest = -1;
    std::uint64_t biggest_bytes = 0;
    for (auto& [fd, p] : peers_) {
        if (p.cut) continue;
        const auto got = bytes_received(fd);
        if (!got) continue;
        const auto counted = *got > limits_.handshake ? *got - limits_.handshake : 0;
        if (counted > limits_.per_peer) {
            cut(fd, p, counted, "over its budget");
            continue;
        }
        total += counted;
        if (counted > biggest_bytes) biggest = fd, biggest_bytes = counted;
    }
    // All of them together over the total: the one that sent the most goes.
    if (total > limits_.total && biggest >= 0) cut(biggest, peers_[biggest], biggest_bytes, "the biggest when all were over the total");
}

void subscription_budget::cut(int fd, peer& p, std::uint64_t bytes, const char* why)
{
    // The file descriptor belongs to libzmq, and may have been closed and
    // reused since ACCEPTED: only shut down the connection we saw accepted.
    p.cut = true;  // either way, not counted again (DISCONNECTED removes it)
    if (peer_of(fd) != p.address) return;
    ::shutdown(fd, SHUT_RDWR);
    if (const auto suppressed = reported_.allow())
        out_.warn(label_, ": cut off ", p.address, " after ", kib(bytes), " of subscriptions (", why, "; limits ",
                  kib(limits_.per_peer), " per peer, ", kib(limits_.total), " in all)",
                  *suppressed ? " (" + std::to_string(*suppressed) + " more since)" : "");
}

}  // namespace common
