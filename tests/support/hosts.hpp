// Hosts for a test: network namespaces joined by a bridge (scripts/hosts),
// each with an address of its own, so that the programs run "on different
// machines" with only real addresses between them, and links can fail.
//
//   support::hosts net("ticker", {"pub", "proxy", "sub1", "sub2"});
//   process pub(net.on("pub", {TICKER_PUB, "--bind", "tcp://*:5556"}));
//   ... "tcp://" + net.address("pub") + ":5556" ...
//   net.link("proxy", false);  // pull its cable
//
// The namespaces are named bbt-PID-TAG-HOST, so that tests run side by side
// (ctest -j); they go away with the object, on SIGINT/SIGTERM/SIGHUP, and,
// after a test that was killed outright, with the next test's sweep.
// Making namespaces needs root (CAP_NET_ADMIN): BB_HOSTS_OR_SKIP() ends a test
// with "hosts: skipped: REASON", which ctest reports as Skipped.
#pragma once

#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace support {

class hosts {
public:
    hosts(const std::string& tag, const std::vector<std::string>& names);
    ~hosts();
    hosts(const hosts&) = delete;
    hosts& operator=(const hosts&) = delete;

    // The host's address on the hosts' network, e.g. 10.77.0.11.
    const std::string& address(const std::string& host) const { return addresses_.at(host); }
    // argv, to run on host (for support::process and support::run).
    std::vector<std::string> on(const std::string& host, std::vector<std::string> argv) const;
    // Takes the host's link down (false) or up again (true): its cable, at the switch.
    void link(const std::string& host, bool up) const;

    // Why namespaces cannot be made here, if they cannot.
    static std::optional<std::string> unavailable();

private:
    std::string prefix_;
    std::map<std::string, std::string> addresses_;
};

}  // namespace support

#define BB_HOSTS_OR_SKIP()                                                   \
    do {                                                                     \
        if (const auto why = support::hosts::unavailable()) {                \
            std::cout << "hosts: skipped: " << *why << std::endl;            \
            return;                                                          \
        }                                                                    \
    } while (false)
