// The ticker across hosts: publisher, proxy and subscribers each on a host of
// its own, over tcp; and over multicast (epgm), publisher and subscribers on
// three hosts.
#include "catch.hpp"
#include <sstream>

#include "hosts.hpp"
#include "process.hpp"

using namespace std::chrono_literals;
using support::process;

namespace {

// The symbols of the tick lines ticker-sub printed ("[name] AAPL  189.25 ...").
std::vector<std::string> tick_symbols(const process& p)
{
    std::vector<std::string> symbols;
    for (const auto& line : p.lines()) {
        std::istringstream in(line);
        std::string name, symbol;
        double price = 0;
        if (in >> name >> symbol >> price && price > 0) symbols.push_back(symbol);
    }
    return symbols;
}

void ready(process& p, std::string_view text)
{
    INFO(p.output());
    REQUIRE(p.wait_for(text, 20s));
}

// AAPL on one subscriber, M* on the other; each sees 20 ticks, only its own.
void check_subscribers(process& apple, process& m)
{
    for (auto* sub : {&apple, &m}) {
        INFO(sub->output());
        REQUIRE(sub->wait_exit(30s) == 0);
        CHECK(sub->wait_for("20 ticks received", 0ms));
    }
    const auto apples = tick_symbols(apple);
    CHECK(apples.size() == 20);
    for (const auto& s : apples) CHECK(s == "AAPL");
    const auto ms = tick_symbols(m);
    CHECK(ms.size() == 20);
    for (const auto& s : ms) CHECK((s == "MSFT" || s == "META"));
}

}  // namespace

TEST_CASE("ticker across hosts: publisher, proxy and subscribers on four hosts", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    support::hosts net("ticker", {"pub", "proxy", "sub1", "sub2"});
    process pub(net.on("pub", {TICKER_PUB, "--bind", "tcp://*:5556", "--rate", "200", "--name", "pub"}));
    ready(pub, "publishing on");
    process proxy(net.on("proxy", {TICKER_PROXY, "--connect", "tcp://" + net.address("pub") + ":5556",
                                   "--bind", "tcp://*:5557", "--control", "tcp://127.0.0.1:5558"}));
    ready(proxy, "subscribers connect to");
    const auto feed = "tcp://" + net.address("proxy") + ":5557";
    process apple(net.on("sub1", {TICKER_SUB, "--connect", feed, "--symbol", "AAPL", "--count", "20", "--name", "apple"}));
    process m(net.on("sub2", {TICKER_SUB, "--connect", feed, "--symbol", "M", "--count", "20", "--name", "m"}));
    check_subscribers(apple, m);
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
    ready(apple, "following");
    ready(m, "following");
    process pub(net.on("pub", {TICKER_PUB, "--bind", "epgm://" + net.address("pub") + group, "--rate", "200",
                               "--multicast-rate", "1000", "--recovery-ivl", "2000", "--name", "pub"}));
    ready(pub, "publishing on epgm://");
    check_subscribers(apple, m);
}
