#include "common/endpoint.hpp"

#include "common/codec.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

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

// Refuses a folder that another user owns or can write to: they could bind
// in our place and read what our clients send, or take our servers' names.
void check_private(const std::filesystem::path& dir)
{
    const auto fix = " (remove it, or set BB_IPC_DIR to a folder of your own)";
    struct stat st{};
    if (::lstat(dir.c_str(), &st) != 0)
        throw std::runtime_error("cannot use the ipc folder " + dir.string() + ": " + std::strerror(errno));
    if (!S_ISDIR(st.st_mode))
        throw std::runtime_error("the ipc folder " + dir.string() + " is not a folder (a symbolic link?)" + fix);
    if (st.st_uid != ::geteuid())
        throw std::runtime_error("the ipc folder " + dir.string() + " belongs to another user (uid " +
                                 std::to_string(st.st_uid) + "; you are " + std::to_string(::geteuid()) +
                                 "): they could stand in for our servers" + fix);
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        throw std::runtime_error("the ipc folder " + dir.string() + " has mode " + mode +
                                 ": it must be 0700, only yours (chmod 700 it, or set BB_IPC_DIR to a folder of your own)");
    }
}

// The ipc socket files this process bound: removed when it exits, unless
// another process has bound the same name since (libzmq 4.3 leaves them).
class bound_files {
public:
    void add(const std::filesystem::path& file)
    {
        struct stat st{};
        if (::stat(file.c_str(), &st) != 0) return;
        std::scoped_lock lock(mutex_);
        files_.push_back({file, st.st_ino});
    }
    ~bound_files()
    {
        for (const auto& [file, inode] : files_)
            if (struct stat st{}; ::lstat(file.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == inode)
                ::unlink(file.c_str());
    }

private:
    std::mutex mutex_;
    std::vector<std::pair<std::filesystem::path, ino_t>> files_;
};
bound_files bound_ipc_files;

}  // namespace

std::string ipc_folder()
{
    if (const char* dir = std::getenv("BB_IPC_DIR"); dir != nullptr && *dir != '\0') return dir;
    if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run != nullptr && *run != '\0')
        return std::string(run) + "/beyond-the-box";
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/beyond-the-box-" + std::to_string(::geteuid());
}

void use_ipc_endpoint(const std::string& endpoint)
{
    constexpr std::string_view ipc = "ipc://";
    if (!endpoint.starts_with(ipc) || endpoint.starts_with("ipc://@")) return;
    const std::filesystem::path folder = std::filesystem::path(endpoint.substr(ipc.size())).parent_path();
    if (folder.empty() || folder != std::filesystem::path(ipc_folder())) return;  // a folder of the user's choice
    // The default folder: made private (0700) if missing, and checked.
    std::error_code ignored;
    if (folder.has_parent_path()) std::filesystem::create_directories(folder.parent_path(), ignored);
    if (::mkdir(folder.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create the ipc folder " + folder.string() + ": " + std::strerror(errno) +
                                 " (set BB_IPC_DIR to a folder of your own)");
    check_private(folder);
}

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
    use_ipc_endpoint(endpoint);
    if (endpoint.starts_with("ipc://") && !endpoint.starts_with("ipc://@")) {
        const std::filesystem::path path(endpoint.substr(6));
        std::error_code ignored;  // libzmq does not create it; bind reports the real problem, if any
        if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ignored);
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
    auto bound = socket.get(zmq::sockopt::last_endpoint);
    if (bound.starts_with("ipc://") && !bound.starts_with("ipc://@")) bound_ipc_files.add(bound.substr(6));
    return bound;
}

}  // namespace common
