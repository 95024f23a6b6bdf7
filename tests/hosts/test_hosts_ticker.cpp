// The ticker across hosts: publisher, proxy and subscribers each on a host of
// its own, over tcp; and over multicast (epgm), publisher and subscribers on
// three hosts.
#include "catch.hpp"

#include "../ticker/ticker_subscribers.hpp"
#include "expect_line.hpp"
#include "hosts.hpp"
#include "process.hpp"

using namespace std::chrono_literals;
using hosts_test::expect_line;
using support::process;

TEST_CASE("ticker across hosts: publisher, proxy and subscribers on four hosts", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    support::hosts net("ticker", {"pub", "proxy", "sub1", "sub2"});
    process pub(net.on("pub", {TICKER_PUB, "--bind", "tcp://*:5556", "--rate", "200", "--name", "pub"}));
    expect_line(pub, "publishing on");
    process proxy(net.on("proxy", {TICKER_PROXY, "--connect", "tcp://" + net.address("pub") + ":5556",
                                   "--bind", "tcp://*:5557", "--control", "tcp://127.0.0.1:5558"}));
    expect_line(proxy, "subscribers connect to");
    const auto feed = "tcp://" + net.address("proxy") + ":5557";
    process apple(net.on("sub1", {TICKER_SUB, "--connect", feed, "--symbol", "AAPL", "--count", "20", "--name", "apple"}));
    process m(net.on("sub2", {TICKER_SUB, "--connect", feed, "--symbol", "M", "--count", "20", "--name", "m"}));
    ticker_test::check_apple_and_m(apple, m);
    // Both subscriptions travelled upstream, from two hosts, through the proxy.
    CHECK(proxy.wait_for("subscribe 'AAPL' travels upstream"));
    CHECK(proxy.wait_for("subscribe 'M' travels upstream"));
}

TEST_CASE("ticker over multicast: one epgm publisher, subscribers on two other hosts", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    support::hosts net("mcast", {"pub", "sub1", "sub2"});
    // Each host names its own interface, by address; the group and port are shared.
    const std::string group = ";239.192.77.1:5600";
    process apple(net.on("sub1", {TICKER_SUB, "--connect", "epgm://" + net.address("sub1") + group,
                                  "--symbol", "AAPL", "--count", "20", "--name", "apple"}));
    process m(net.on("sub2", {TICKER_SUB, "--connect", "epgm://" + net.address("sub2") + group,
                              "--symbol", "M", "--count", "20", "--name", "m"}));
    expect_line(apple, "following");
    expect_line(m, "following");
    process pub(net.on("pub", {TICKER_PUB, "--bind", "epgm://" + net.address("pub") + group, "--rate", "200",
                               "--multicast-rate", "1000", "--recovery-ivl", "2000", "--name", "pub"}));
    expect_line(pub, "publishing on epgm://");
    ticker_test::check_apple_and_m(apple, m);
}
