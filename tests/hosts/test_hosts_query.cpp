// The query engine across hosts: broker (and the feed) on one host, two
// query-servers on two others, a client with a replica on a fourth; one
// server host is lost mid-run.
#include "catch.hpp"
#include <sstream>

#include "expect_line.hpp"
#include "hosts.hpp"
#include "process.hpp"

using namespace std::chrono_literals;
using hosts_test::expect_line;
using support::process;

namespace {

// A number that follows `key` in text ("seq=12 last=189.25", "seq 12").
double field(const std::string& text, const std::string& key)
{
    const auto at = text.find(key);
    if (at == std::string::npos) return -1;
    std::istringstream in(text.substr(at + key.size()));
    double v = -1;
    in >> v;
    return v;
}

}  // namespace

TEST_CASE("query across hosts: a server host is lost, queries are still answered, the replica equals SNAPSHOT", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    support::hosts net("query", {"broker", "srv1", "srv2", "client"});
    const auto b = "tcp://" + net.address("broker") + ":";
    process broker(net.on("broker", {QUERY_BROKER, "--frontend", "tcp://*:5582", "--backend", "tcp://*:5583",
                                     "--publishers", "tcp://*:5585", "--updates", "tcp://*:5584", "--name", "broker"}));
    expect_line(broker, "clients subscribe to");
    std::vector<std::unique_ptr<process>> servers;
    for (const std::string host : {"srv1", "srv2"}) {
        servers.push_back(std::make_unique<process>(net.on(host, {
            QUERY_SERVER, "--feed", b + "5556", "--connect", b + "5583", "--publish-connect", b + "5585", "--name", host})));
        expect_line(*servers.back(), "following the feed");
    }
    // 400 AAPL ticks, 4 s: the feed's end gives the replica and SNAPSHOT a last tick to agree on.
    process feed(net.on("broker", {TICKER_PUB, "--bind", "tcp://*:5556", "--symbol", "AAPL", "--rate", "100",
                                   "--count", "400", "--seed", "7", "--name", "feed"}));
    expect_line(feed, "publishing on");

    auto ask = [&](const std::string& query) {
        return support::run(net.on("client", {QUERY_CLIENT, "--connect", b + "5582", "--timeout", "1000",
                                               "--retries", "6", query}), 30s);
    };
    // Both servers answer (round-robin); wait until the feed reached them.
    for (int i = 0; i < 20 && ask("LAST AAPL").status != 0; ++i) {}
    process replica(net.on("client", {QUERY_CLIENT, "--connect", b + "5582", "--updates", b + "5584",
                                      "--follow", "AAPL", "--timeout", "1000", "--retries", "6", "--name", "replica"}));
    expect_line(replica, "(snapshot)");
    expect_line(replica, "  seq ");  // an update applied

    net.link("srv1", false);  // lost: it never comes back
    for (int i = 0; i < 4; ++i) {
        const auto r = ask("LAST AAPL");
        INFO(r.output);
        CHECK(r.status == 0);
        CHECK(field(r.output, "last=") > 0);
    }
    INFO(feed.output());
    REQUIRE(feed.wait_exit(30s) == 0);
    const auto last = expect_line(replica, "seq 400");
    const auto snapshot = ask("SNAPSHOT AAPL");
    INFO(snapshot.output);
    REQUIRE(snapshot.status == 0);
    INFO(last);
    CHECK(field(snapshot.output, "seq=") == 400);
    CHECK(field(last, "seq ") == 400);
    // The replica's price is the server's last price (both with two decimals).
    std::istringstream in(last.substr(last.find("AAPL") + 4));
    double price = 0;
    in >> price;
    CHECK(std::abs(price - field(snapshot.output, "last=")) < 0.006);
    CHECK(std::abs(field(last, "high ") - field(snapshot.output, "high=")) < 0.006);
    CHECK(std::abs(field(last, "low ") - field(snapshot.output, "low=")) < 0.006);
}
