// The query engine's programs as separate processes, over tcp and ipc: a
// query-server (or a query-broker and two) follows a feed the test controls;
// the test asks through query::client and query-client.
#include "catch.hpp"
#include <csignal>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "endpoints.hpp"
#include "process.hpp"
#include "query_test_util.hpp"
#include "ready.hpp"

using namespace std::chrono_literals;
using support::process;
using support::ready;
using namespace query_test;

namespace {

struct server {
    std::unique_ptr<process> proc;
    std::string queries, updates;
};

server start_server(const std::string& transport, const support::private_dir& dir, const std::string& feed,
                    std::vector<std::string> extra = {})
{
    std::vector<std::string> argv{QUERY_SERVER, "--feed", feed, "--bind", support::fresh_endpoint(transport, dir, "q"),
                                  "--publish", support::fresh_endpoint(transport, dir, "u")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    server s{std::make_unique<process>(argv), "", ""};
    s.queries = ready(*s.proc, "answering queries on");
    s.updates = ready(*s.proc, "publishing updates on");
    return s;
}

void stop_cleanly(process& p)
{
    p.signal(SIGINT);
    INFO(p.output());
    CHECK(p.wait_exit(1s) == 0);
}

void check_single_server(const std::string& transport)
{
    support::private_dir dir;
    auto ctx = common::make_context();
    test_feed feed(ctx, support::fresh_endpoint(transport, dir, "feed"));
    auto s = start_server(transport, dir, feed.endpoint());
    feed.wait_subscribers(1);
    feed.publish_pattern(12);
    query::client c(ctx, {s.queries}, 5s, 0);
    wait_applied(c, feed);
    check_answers(c, feed);
    check_concurrent_clients(ctx, {s.queries}, feed);
    check_watch(ctx, c, s.updates, feed);

    // The command line client: the answer on stdout and status 0, or the
    // server's error and status 1.
    const auto last = support::run({QUERY_CLIENT, "--connect", s.queries, "LAST MSFT"});
    CHECK(last.status == 0);
    CHECK_THAT(last.output, StartsWith("MSFT last="));
    const auto error = support::run({QUERY_CLIENT, "--connect", s.queries, "TOP 3 WINNERS"});
    CHECK(error.status == 1);
    CHECK_THAT(error.output, ContainsSubstring("column 7: expected GAINERS or LOSERS, got 'WINNERS'"));
    stop_cleanly(*s.proc);
    CHECK(s.proc->wait_for("answered", 0ms));
}

void check_brokered(const std::string& transport)
{
    support::private_dir dir;
    auto ctx = common::make_context();
    test_feed feed(ctx, support::fresh_endpoint(transport, dir, "feed"));
    process broker({QUERY_BROKER, "--frontend", support::fresh_endpoint(transport, dir, "front"),
                    "--backend", support::fresh_endpoint(transport, dir, "back"),
                    "--publishers", support::fresh_endpoint(transport, dir, "pubs"),
                    "--updates", support::fresh_endpoint(transport, dir, "updates")});
    const auto front = ready(broker, "clients send queries to");
    const auto back = ready(broker, "query-servers connect to");
    const auto pubs = ready(broker, "query-servers publish to");
    const auto updates = ready(broker, "clients subscribe to");
    std::vector<std::unique_ptr<process>> workers;
    for (const std::string name : {"worker-1", "worker-2"}) {
        workers.push_back(std::make_unique<process>(std::vector<std::string>{
            QUERY_SERVER, "--name", name, "--feed", feed.endpoint(), "--connect", back, "--publish-connect", pubs}));
        ready(*workers.back(), "answering queries from the broker");
    }
    feed.wait_subscribers(2);
    feed.publish_pattern(12);
    // Clients change nothing but the address.
    query::client c(ctx, {front}, 5s, 0);
    wait_applied(c, feed, 4);
    check_answers(c, feed);
    check_concurrent_clients(ctx, {front}, feed);
    check_watch(ctx, c, updates, feed, true);
    for (auto& w : workers) {
        stop_cleanly(*w);
        const auto summary = w->wait_for("answered", 0ms);
        REQUIRE(summary);
        CHECK_THAT(*summary, !ContainsSubstring("answered 0 queries"));  // both took a share
    }
    stop_cleanly(broker);
}

// Snapshot plus updates, with a gap the server makes on purpose (it never
// publishes update 40): the client notices and takes a new snapshot.
void check_gap_resync(const std::string& transport)
{
    support::private_dir dir;
    auto ctx = common::make_context();
    test_feed feed(ctx, support::fresh_endpoint(transport, dir, "feed"));
    auto s = start_server(transport, dir, feed.endpoint(), {"--drop-update", "40"});
    feed.wait_subscribers(1);
    feed.publish("AAPL", 100);
    query::client c(ctx, {s.queries}, 5s, 0);
    wait_applied(c, feed);

    process follower({QUERY_CLIENT, "--connect", s.queries, "--updates", s.updates, "--follow", "AAPL", "--name", "f"});
    REQUIRE(follower.wait_for("(snapshot)"));
    // Until the subscription is live, updates are lost; the first one seen ends the warm-up.
    int seq = 1;
    for (bool live = false; !live && seq < 30;) {
        seq = static_cast<int>(feed.publish("AAPL", 100 + seq * 0.5).seq);
        live = follower.wait_for("ticks " + std::to_string(seq) + "  seq " + std::to_string(seq), 20ms).has_value();
    }
    REQUIRE(seq < 30);
    while (seq < 50) seq = static_cast<int>(feed.publish("AAPL", 100 + seq * 0.5).seq);
    INFO(follower.output());
    REQUIRE(follower.wait_for("expected update 40, got 41: re-syncing"));
    REQUIRE(follower.wait_for("seq 50"));
    const auto last = follower.lines_with("seq 50").back();
    CHECK_THAT(last, ContainsSubstring("ticks 50  seq 50"));  // nothing missing from the replica
    stop_cleanly(follower);
    stop_cleanly(*s.proc);
}

}  // namespace

TEST_CASE("query-server over tcp: every query against a computed model, concurrent clients, WATCH", "[tcp]")
{
    check_single_server("tcp");
}

TEST_CASE("query-server over ipc: every query against a computed model, concurrent clients, WATCH", "[ipc]")
{
    check_single_server("ipc");
}

TEST_CASE("query-broker with two query-servers over tcp", "[tcp]") { check_brokered("tcp"); }
TEST_CASE("query-broker with two query-servers over ipc", "[ipc]") { check_brokered("ipc"); }

TEST_CASE("query-client --follow over tcp: a gap in the updates brings a new snapshot", "[tcp]")
{
    check_gap_resync("tcp");
}

TEST_CASE("query-client --follow over ipc: a gap in the updates brings a new snapshot", "[ipc]")
{
    check_gap_resync("ipc");
}
