// The query engine's roles as threads of this process, over inproc: the same
// checks as over tcp and ipc, a broker with two workers, and a replica that
// re-syncs after a gap.
#include "catch.hpp"
#include <mutex>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "common/threads.hpp"
#include "endpoints.hpp"
#include "query_test_util.hpp"

using namespace std::chrono_literals;
using namespace query_test;

namespace {

query::server_options server_at(std::string name, const std::string& feed, const std::string& queries,
                                 const std::string& updates)
{
    query::server_options o;
    o.role = {std::move(name), true, false};
    o.feed = {feed};
    o.bind = {queries};
    o.publish = {updates};
    return o;
}

}  // namespace

TEST_CASE("query-server as a thread over inproc: every query, concurrent clients, WATCH", "[inproc]")
{
    auto ctx = common::make_context();
    test_feed feed(ctx, support::fresh_endpoint("inproc", {}, "feed"));
    const auto queries = support::fresh_endpoint("inproc", {}, "queries");
    const auto updates = support::fresh_endpoint("inproc", {}, "updates");
    const auto opts = server_at("server", feed.endpoint(), queries, updates);
    common::thread_group roles;
    roles.spawn("server", [&](std::stop_token s) { query::run_server(ctx, opts, s); });

    feed.wait_subscribers(1);
    feed.publish_pattern(12);
    query::client c(ctx, {queries}, 5s, 0);
    wait_applied(c, feed);
    check_answers(c, feed);
    check_concurrent_clients(ctx, {queries}, feed);
    check_watch(ctx, c, updates, feed);
    roles.request_stop();
    roles.wait();
}

TEST_CASE("query-broker and two query-servers as threads over inproc", "[inproc]")
{
    auto ctx = common::make_context();
    test_feed feed(ctx, support::fresh_endpoint("inproc", {}, "feed"));
    query::broker_options broker;
    broker.role = {"broker", true, false};
    broker.frontend = {support::fresh_endpoint("inproc", {}, "front")};
    broker.backend = {support::fresh_endpoint("inproc", {}, "back")};
    broker.publishers = {support::fresh_endpoint("inproc", {}, "pubs")};
    broker.updates = {support::fresh_endpoint("inproc", {}, "updates")};
    std::vector<query::server_options> workers(2);
    for (std::size_t i = 0; i < workers.size(); ++i) {
        workers[i].role = {"worker-" + std::to_string(i + 1), true, false};
        workers[i].feed = {feed.endpoint()};
        workers[i].connect = broker.backend;
        workers[i].publish_connect = broker.publishers;
    }
    common::thread_group roles;
    roles.spawn("broker", [&](std::stop_token s) { query::run_broker(ctx, broker, s); });
    for (auto& w : workers) roles.spawn(w.role.name, [&](std::stop_token s) { query::run_server(ctx, w, s); });

    feed.wait_subscribers(2);
    feed.publish_pattern(12);
    query::client c(ctx, broker.frontend, 5s, 0);
    wait_applied(c, feed, 4);
    check_answers(c, feed);
    check_concurrent_clients(ctx, broker.frontend, feed);
    check_watch(ctx, c, broker.updates.front(), feed, true);
    roles.request_stop();
    roles.wait();
}

TEST_CASE("a replica over inproc: snapshot, updates, and a new snapshot after a gap", "[inproc]")
{
    auto ctx = common::make_context();
    test_feed feed(ctx, support::fresh_endpoint("inproc", {}, "feed"));
    auto opts = server_at("server", feed.endpoint(), support::fresh_endpoint("inproc", {}, "queries"),
                          support::fresh_endpoint("inproc", {}, "updates"));
    opts.drop_update = 40;

    struct seen {
        std::mutex mutex;
        std::vector<std::uint64_t> updates, resyncs;
        query::symbol_state last;
    } box;
    auto last_update = [&] {
        std::scoped_lock lock(box.mutex);
        return box.updates.empty() ? 0 : box.updates.back();
    };
    query::client_options follower;
    follower.role = {"follower", true, false};
    follower.connect = opts.bind;
    follower.updates = opts.publish;
    follower.follow = {"AAPL"};
    follower.events.on_update = [&](const std::string&, const query::symbol_state& s) {
        std::scoped_lock lock(box.mutex);
        box.updates.push_back(s.seq);
        box.last = s;
    };
    follower.events.on_resync = [&](const std::string&, const query::symbol_state& s) {
        std::scoped_lock lock(box.mutex);
        box.resyncs.push_back(s.seq);
        box.last = s;
    };

    common::thread_group roles;
    roles.spawn("server", [&](std::stop_token s) { query::run_server(ctx, opts, s); });
    feed.wait_subscribers(1);
    feed.publish("AAPL", 100);
    query::client c(ctx, opts.bind, 5s, 0);
    wait_applied(c, feed);
    roles.spawn("follower", [&](std::stop_token s) { query::run_client(ctx, follower, s); });

    // Warm-up: until the subscription is live, updates are lost.
    int seq = 1;
    while (seq < 30 && last_update() == 0) {
        seq = static_cast<int>(feed.publish("AAPL", 100 + seq * 0.5).seq);
        for (int i = 0; i < 10 && last_update() != static_cast<std::uint64_t>(seq); ++i) std::this_thread::sleep_for(2ms);
    }
    REQUIRE(last_update() != 0);
    const std::size_t resyncs_before = [&] { std::scoped_lock lock(box.mutex); return box.resyncs.size(); }();
    while (seq < 50) seq = static_cast<int>(feed.publish("AAPL", 100 + seq * 0.5).seq);
    for (int i = 0; i < 2500; ++i) {
        {
            std::scoped_lock lock(box.mutex);
            if (box.last.seq == 50) break;
        }
        std::this_thread::sleep_for(2ms);
    }
    roles.request_stop();
    roles.wait();

    std::scoped_lock lock(box.mutex);
    CHECK(box.last.seq == 50);
    CHECK(box.last.ticks == 50);  // the new snapshot filled the gap
    query::symbol_state model;
    for (const auto& t : feed.sent("AAPL")) model.apply(t);
    CHECK(box.last == model);
    // One more snapshot, taken when update 41 came instead of 40.
    REQUIRE(box.resyncs.size() == resyncs_before + 1);
    CHECK(box.resyncs.back() >= 41);
    CHECK(std::find(box.updates.begin(), box.updates.end(), 40u) == box.updates.end());
}
