#include "chat_test_util.hpp"

#include <arpa/inet.h>
#include "catch.hpp"
#include <map>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq_addon.hpp>

#include "common/stop.hpp"

namespace chat_test {

std::string expect_line(process& p, std::string_view text, std::chrono::milliseconds timeout)
{
    return expect_line(p, text, nullptr, timeout);
}

std::string expect_line(process& p, std::string_view text, process* other, std::chrono::milliseconds timeout)
{
    const auto line = p.wait_for(text, timeout);
    std::string also;
    if (!line && other) {
        const auto status = other->wait_exit(200ms);  // reads what it printed meanwhile
        also = "\nand the server " + (status ? "exited with status " + std::to_string(*status) : std::string("is running")) +
               ", after printing:\n" + other->output();
    }
    INFO("waiting for '" << text << "' in:\n" << p.output() << also);
    REQUIRE(line);
    return *line;
}

server start_server_at(const std::string& commands, const std::string& broadcasts, std::vector<std::string> extra)
{
    std::vector<std::string> argv{CHAT_SERVER, "--bind", commands, "--publish", broadcasts, "--name", "server"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server s{std::make_unique<process>(argv), "", ""};
    s.commands = support::endpoint_in(expect_line(*s.proc, "commands on"));
    s.broadcasts = support::endpoint_in(expect_line(*s.proc, "broadcasts on"));
    return s;
}

server start_server(const std::string& transport, const support::private_dir& dir, std::vector<std::string> extra)
{
    return start_server_at(support::fresh_endpoint(transport, dir, "commands"), support::fresh_endpoint(transport, dir, "broadcasts"),
                        std::move(extra));
}

std::unique_ptr<process> start_client(const server& s, const std::string& handle, std::vector<std::string> extra, bool wait_ready)
{
    std::vector<std::string> argv{CHAT_CLIENT, "--connect", s.commands, "--subscribe", s.broadcasts, "--handle", handle, "--name", handle};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto p = std::make_unique<process>(argv, support::piped_stdin);
    if (wait_ready) expect_line(*p, "* " + handle + " joined", s.proc.get());
    return p;
}

raw_client::raw_client(zmq::context_t& ctx, const std::string& endpoint) : dealer_(ctx, zmq::socket_type::dealer)
{
    dealer_.connect(endpoint);
}

void raw_client::send(const std::vector<std::string>& frames)
{
    std::vector<zmq::message_t> msg;
    for (const auto& f : frames) msg.emplace_back(f.data(), f.size());
    zmq::send_multipart(dealer_, msg);
}

std::vector<std::string> raw_client::ask(const std::vector<std::string>& frames, std::chrono::milliseconds timeout)
{
    send(frames);
    std::vector<zmq::message_t> reply;
    std::vector<std::string> out;
    if (common::recv(dealer_, reply, {}, timeout))
        for (const auto& f : reply) out.push_back(f.to_string());
    return out;
}

int port_of(const std::string& endpoint) { return std::stoi(endpoint.substr(endpoint.rfind(':') + 1)); }

namespace {

int connect_tcp(const std::string& host, int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, host == "0.0.0.0" ? "127.0.0.1" : host.c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string host_of(const std::string& endpoint)
{
    const auto start = endpoint.find("://") + 3;
    return endpoint.substr(start, endpoint.rfind(':') - start);
}

void write_all(int fd, std::string_view bytes)
{
    while (!bytes.empty()) {
        const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

tcp_peer::tcp_peer(const std::string& endpoint) : fd_(connect_tcp(host_of(endpoint), port_of(endpoint)))
{
    if (fd_ < 0) throw std::runtime_error("cannot connect to " + endpoint);
}

tcp_peer::~tcp_peer() { ::close(fd_); }

void tcp_peer::send(std::string_view bytes) { write_all(fd_, bytes); }

bool tcp_peer::read_until(std::string_view text, std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.find(text) == std::string::npos) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left <= 0ms || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buffer[4096];
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return false;
        received_.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

bool tcp_peer::closed_by_peer(std::chrono::milliseconds timeout)
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left <= 0ms || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buffer[4096];
        const auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n <= 0) return true;
        received_.append(buffer, static_cast<std::size_t>(n));
    }
}

tcp_relay::tcp_relay(const std::string& target) : host_(host_of(target)), port_(port_of(target))
{
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &size) != 0)
        throw std::runtime_error("relay: cannot listen");
    endpoint_ = "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    thread_ = std::thread([this] { run(); });
}

tcp_relay::~tcp_relay()
{
    stop_ = true;
    thread_.join();
    ::close(listener_);
}

std::string tcp_relay::bytes() const
{
    std::scoped_lock lock(mutex_);
    return bytes_;
}

void tcp_relay::run()
{
    std::map<int, int> peer;  // fd -> the fd it forwards to
    while (!stop_) {
        std::vector<pollfd> fds{{listener_, POLLIN, 0}};
        for (const auto& [fd, _] : peer) fds.push_back({fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
        if (fds[0].revents & POLLIN) {
            const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            const int upstream = connect_tcp(host_, port_);
            if (client >= 0 && upstream >= 0) {
                peer[client] = upstream;
                peer[upstream] = client;
            } else {
                if (client >= 0) ::close(client);
                if (upstream >= 0) ::close(upstream);
            }
        }
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents == 0 || !peer.count(fds[i].fd)) continue;
            char buffer[65536];
            const auto n = ::recv(fds[i].fd, buffer, sizeof buffer, 0);
            const int other = peer[fds[i].fd];
            if (n <= 0) {  // one side closed: close both
                ::close(fds[i].fd);
                ::close(other);
                peer.erase(fds[i].fd);
                peer.erase(other);
                continue;
            }
            {
                std::scoped_lock lock(mutex_);
                bytes_.append(buffer, static_cast<std::size_t>(n));
            }
            write_all(other, {buffer, static_cast<std::size_t>(n)});
        }
    }
    for (const auto& [fd, _] : peer) ::close(fd);
}

}  // namespace chat_test
