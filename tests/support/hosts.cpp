#include "hosts.hpp"

#include <array>
#include <csignal>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

#include "process.hpp"

namespace support {

namespace {

const std::string script = BB_HOSTS_SCRIPT;

// The prefixes alive in this process, for the signal handler: fixed storage,
// since a handler may not allocate.
constexpr std::size_t max_sets = 8;
std::array<std::array<char, 64>, max_sets> live{};

void remove_all_now()
{
    for (auto& prefix : live) {
        if (prefix[0] == '\0') continue;
        const pid_t pid = ::fork();  // fork and execv are async-signal-safe
        if (pid == 0) {
            char down[] = "down", opt[] = "--prefix";
            char* argv[] = {const_cast<char*>(script.c_str()), down, opt, prefix.data(), nullptr};
            ::execv(argv[0], argv);
            ::_exit(127);
        }
        if (pid > 0) ::waitpid(pid, nullptr, 0);
        prefix[0] = '\0';
    }
}

extern "C" void on_signal(int sig)
{
    remove_all_now();
    std::signal(sig, SIG_DFL);
    ::raise(sig);
}

void remember(const std::string& prefix)
{
    static const bool handlers = [] {
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) std::signal(sig, on_signal);
        return true;
    }();
    (void)handlers;
    for (auto& slot : live)
        if (slot[0] == '\0') {
            std::strncpy(slot.data(), prefix.c_str(), slot.size() - 1);
            return;
        }
}

void forget(const std::string& prefix)
{
    for (auto& slot : live)
        if (prefix == slot.data()) slot[0] = '\0';
}

run_result hosts_script(std::vector<std::string> args)
{
    args.insert(args.begin(), script);
    return run(std::move(args), 30s);
}

}  // namespace

std::optional<std::string> hosts::unavailable()
{
    static const std::optional<std::string> why = []() -> std::optional<std::string> {
        if (::access(script.c_str(), X_OK) != 0) return script + " is missing";
        if (::geteuid() != 0) return "not root: making network namespaces needs root (CAP_NET_ADMIN)";
        const auto probe = "bbt-" + std::to_string(::getpid()) + "-probe";
        // Made, entered (ip netns exec remounts /sys: a chroot whose root is no
        // mount point refuses), and removed.
        const auto r = run({"/bin/sh", "-c", "ip netns add " + probe + " && ip netns exec " + probe + " true; s=$?; ip netns delete " +
                                                 probe + "; exit $s"});
        if (r.status != 0) return "cannot make and enter a network namespace (ip netns add, ip netns exec): " + r.output;
        if (run({"/bin/sh", "-c", "command -v nc"}).status != 0) return "nc is missing (apt-get install netcat-openbsd)";
        return std::nullopt;
    }();
    return why;
}

hosts::hosts(const std::string& tag, const std::vector<std::string>& names)
    : prefix_("bbt-" + std::to_string(::getpid()) + "-" + tag)
{
    hosts_script({"sweep"});  // what killed tests left behind
    hosts_script({"down", "--prefix", prefix_});
    remember(prefix_);
    std::vector<std::string> args{"up", std::to_string(names.size()), "--prefix", prefix_};
    args.insert(args.end(), names.begin(), names.end());
    const auto r = hosts_script(args);
    if (r.status != 0) {
        hosts_script({"down", "--prefix", prefix_});
        forget(prefix_);
        throw std::runtime_error("scripts/hosts up failed: " + r.output);
    }
    // "NAME NAMESPACE ADDRESS" per line.
    std::istringstream in(r.output);
    std::string name, ns, address;
    while (in >> name >> ns >> address) addresses_[name] = address;
    if (addresses_.size() != names.size()) throw std::runtime_error("scripts/hosts up printed: " + r.output);
}

hosts::~hosts()
{
    hosts_script({"down", "--prefix", prefix_});
    forget(prefix_);
}

std::vector<std::string> hosts::on(const std::string& host, std::vector<std::string> argv) const
{
    argv.insert(argv.begin(), {"/usr/bin/env", "ip", "netns", "exec", prefix_ + "-" + host});
    return argv;
}

void hosts::link(const std::string& host, bool up) const
{
    const auto r = hosts_script({"link", host, up ? "up" : "down", "--prefix", prefix_});
    if (r.status != 0) throw std::runtime_error("scripts/hosts link failed: " + r.output);
}

}  // namespace support
