// support::hosts itself: addresses, links, and no leftovers.
#include "catch.hpp"

#include "hosts.hpp"
#include "process.hpp"

using namespace std::chrono_literals;
using support::process;

namespace {

std::string namespaces() { return support::run({"/usr/bin/env", "ip", "netns", "list"}).output; }

}  // namespace

TEST_CASE("hosts: real addresses between hosts, a link that goes down and up, nothing left behind", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    // Leftovers of a test that was killed outright: a prefix whose process is gone.
    process gone({"/bin/true"});
    REQUIRE(gone.wait_exit() == 0);
    const auto stale = "bbt-" + std::to_string(gone.pid()) + "-stale";
    // (Another test's sweep, under ctest -j, may remove them even while they are made.)
    support::run({BB_SOURCE_DIR "/scripts/hosts", "up", "1", "--prefix", stale});
    std::string prefix;
    {
        support::hosts net("support", {"a", "b"});
        CHECK_THAT(namespaces(), !ContainsSubstring(stale));  // swept
        CHECK(net.address("a") == "10.77.0.11");
        CHECK(net.address("b") == "10.77.0.12");
        const auto probe = [&] {
            return support::run(net.on("a", {"/usr/bin/env", "nc", "-z", "-w", "2", net.address("b"), "7"}), 10s);
        };
        process listener(net.on("b", {"/usr/bin/env", "nc", "-l", "-k", net.address("b"), "7"}));
        bool reached = false;  // until the listener is up
        for (int i = 0; i < 50 && !reached; ++i) reached = probe().status == 0;
        CHECK(reached);
        net.link("b", false);
        CHECK(probe().status != 0);
        net.link("b", true);
        CHECK(probe().status == 0);
        // Nothing in the test's own namespace: no address, no interface of the hosts.
        CHECK_THAT(support::run({"/usr/bin/env", "ip", "-o", "addr"}).output, !ContainsSubstring("10.77.0."));
        prefix = net.on("a", {}).back();
        prefix = prefix.substr(0, prefix.size() - 2);  // "bbt-PID-support"
        CHECK_THAT(namespaces(), ContainsSubstring(prefix + "-switch"));
    }
    CHECK_THAT(namespaces(), !ContainsSubstring(prefix));
}
