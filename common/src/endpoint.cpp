#include "common/endpoint.hpp"

#include "common/codec.hpp"

#include <array>
#include <cstdlib>
#include <cerrno>
#include <filesystem>
#include <stdexcept>
#include <utility>

namespace common {
namespace {

// Default tcp ports, one per service, so that every example can run at once.
constexpr std::array<std::pair<std::string_view, int>, 18> ports{{
    {"ticker", 5556},                // ticker-pub's PUB
    {"ticker-proxy", 5557},          // ticker-proxy's XPUB (subscribers' side)
    {"ticker-proxy-control", 5558},  // ticker-proxy's REP control socket
    {"ticker-proxy-capture", 5559},  // ticker-proxy's capture PUB
    {"workflow-tasks", 5560},        // workflow-ventilator's PUSH (tasks)
    {"workflow-results", 5561},      // workflow-sink's PULL (results)
    {"workflow-feedback", 5562},     // workflow-ventilator's PULL (the sink's DONE and HELLO)
    {"workflow-control", 5563},      // workflow-ventilator's PUB (END)
    {"chat", 5570},                  // chat-server's ROUTER (commands)
    {"chat-broadcast", 5571},        // chat-server's PUB (broadcasts)
    {"chat-gateway", 5572},          // chat-gateway's STREAM (plain TCP, nc)
    {"query", 5580},                 // query-server's ROUTER (queries)
    {"query-updates", 5581},         // query-server's XPUB (updates, watch matches)
    {"query-broker", 5582},          // query-broker's ROUTER (clients' queries)
    {"query-broker-backend", 5583},  // query-broker's DEALER (query-servers connect)
    {"query-broker-updates", 5584},  // query-broker's XPUB (clients subscribe)
    {"query-broker-publishers", 5585},  // query-broker's XSUB (query-servers publish)
    {"desk-http", 5590},             // desk's web dashboard (HTTP, 127.0.0.1 by default)
}};

// BB_PORT_OFFSET and BB_IPC_DIR move every default endpoint, so that two
// copies of a demo (or the tests and a demo on stage) can run side by side.
int port_offset()
{
    const char* text = std::getenv("BB_PORT_OFFSET");
    if (text == nullptr || *text == '\0') return 0;
    const auto offset = parse_int(text);
    if (!offset || *offset < 0 || *offset > 50000)
        throw std::runtime_error("BB_PORT_OFFSET must be a whole number from 0 to 50000");
    return static_cast<int>(*offset);
}

std::string ipc_folder()
{
    const char* dir = std::getenv("BB_IPC_DIR");
    return dir != nullptr && *dir != '\0' ? dir : "/tmp/beyond-the-box";
}

}  // namespace

std::optional<transport> parse_transport(std::string_view text)
{
    if (text == "tcp") return transport::tcp;
    if (text == "ipc") return transport::ipc;
    if (text == "inproc") return transport::inproc;
    return std::nullopt;
}

std::string_view to_string(transport t)
{
    switch (t) {
    case transport::tcp: return "tcp";
    case transport::ipc: return "ipc";
    case transport::inproc: return "inproc";
    }
    return "?";
}

int default_port(std::string_view service)
{
    for (auto [name, port] : ports)
        if (name == service) return port + port_offset();
    throw std::out_of_range("no default port for service '" + std::string(service) + "'");
}

service_endpoints endpoints_for(std::string_view service, transport t)
{
    const std::string name(service);
    // slide: endpoints-for
    switch (t) {
    case transport::tcp: {
        const auto port = std::to_string(default_port(service));
        return {"tcp://*:" + port, "tcp://127.0.0.1:" + port};
    }
    case transport::ipc: {
        const auto ep = "ipc://" + ipc_folder() + "/" + name;
        return {ep, ep};
    }
    case transport::inproc:
        return {"inproc://" + name, "inproc://" + name};
    }
    // end slide
    throw std::logic_error("unknown transport");
}

std::string bind(zmq::socket_ref socket, const std::string& endpoint)
{
    constexpr std::string_view ipc = "ipc://";
    if (endpoint.starts_with(ipc)) {
        const std::filesystem::path path(endpoint.substr(ipc.size()));
        if (path.has_parent_path() && !path.string().starts_with("@")) {
            std::error_code ignored;  // bind reports the real problem, if any
            std::filesystem::create_directories(path.parent_path(), ignored);
        }
    }
    try {
        socket.bind(endpoint);
    } catch (const zmq::error_t& e) {
        std::string why = "cannot bind '" + endpoint + "': " + e.what();
        if (e.num() == EADDRINUSE) why += " (is another copy of this program running?)";
        if (e.num() == ENODEV) why += " (bind to an interface's address, or *)";
        if (e.num() == EINVAL && endpoint.find("pgm://") != std::string::npos)
            why += " (name the interface by its address: epgm://192.168.1.20;239.192.1.1:5600)";
        throw std::runtime_error(why);
    }
    return socket.get(zmq::sockopt::last_endpoint);
}

}  // namespace common
