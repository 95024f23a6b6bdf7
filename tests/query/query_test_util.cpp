#include "query_test_util.hpp"

#include <algorithm>
#include "catch.hpp"
#include <cmath>
#include <sstream>
#include <thread>
#include <zmq_addon.hpp>

#include "common/endpoint.hpp"
#include "common/stop.hpp"

namespace query_test {

test_feed::test_feed(zmq::context_t& ctx, const std::string& endpoint) : xpub_(ctx, zmq::socket_type::xpub)
{
    xpub_.set(zmq::sockopt::xpub_verbose, 1);  // every subscriber's subscription, not only the first
    endpoint_ = common::bind(xpub_, endpoint);
}

void test_feed::wait_subscribers(int n)
{
    std::vector<zmq::message_t> msg;
    for (int seen = 0; seen < n;) {
        REQUIRE(common::recv(xpub_, msg, {}, 10s));
        if (msg.size() == 1 && msg[0].size() >= 1 && static_cast<const char*>(msg[0].data())[0] == 1) ++seen;
    }
}

ticker::tick test_feed::publish(const std::string& symbol, double price, std::uint64_t volume)
{
    auto& ticks = sent_[symbol];
    ticker::tick t;
    t.symbol = symbol;
    t.seq = ticks.size() + 1;
    t.time_ns = 1'700'000'000'000'000'000 + static_cast<std::int64_t>(t.seq) * 1000;
    t.price = price;
    t.open = ticks.empty() ? price : ticks.front().price;
    t.bid = price - 0.01;
    t.ask = price + 0.01;
    t.volume = volume;
    zmq::send_multipart(xpub_, ticker::encode(t));
    ticks.push_back(t);
    return t;
}

void test_feed::publish_pattern(int rounds)
{
    const std::vector<std::pair<std::string, double>> base{{"AAPL", 190}, {"MSFT", 415}, {"IBM", 180}, {"GOOG", 170}};
    for (int i = 0; i < rounds; ++i)
        for (std::size_t s = 0; s < base.size(); ++s) {
            // A different walk per symbol, in whole cents.
            const double step = static_cast<double>(((i + 1) * (static_cast<int>(s) * 7 + 3)) % 23 - 9) * 0.25;
            const double trend = static_cast<double>(i) * (static_cast<double>(s) - 1.5) * 0.1;
            publish(base[s].first, std::round((base[s].second + step + trend) * 100) / 100,
                    static_cast<std::uint64_t>(100 * (i % 5 + 1)));
        }
}

query::reply must(common::result<query::reply> r)
{
    INFO((r ? std::string() : r.error()));
    REQUIRE(r);
    return std::move(*r);
}

void wait_applied(query::client& c, test_feed& feed, int repeat)
{
    for (const auto& [symbol, ticks] : feed.all()) {
        const auto want = static_cast<double>(ticks.back().seq);
        int in_a_row = 0;
        for (int attempt = 0; attempt < 2000 && in_a_row < repeat; ++attempt) {
            const auto r = must(c.ask("LAST " + symbol));
            if (r.ok && query::field(r.text, "seq") == want) ++in_a_row;
            else {
                in_a_row = 0;
                std::this_thread::sleep_for(2ms);  // the server is still taking in the feed
            }
        }
        INFO(symbol << " never reached seq " << want);
        REQUIRE(in_a_row == repeat);
    }
}

namespace {

std::vector<std::string> lines(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

double change(const std::vector<ticker::tick>& ticks) { return (ticks.back().price - ticks.front().price) / ticks.front().price; }

// The expected TOP n, from the model.
std::vector<std::string> expected_top(test_feed& feed, std::size_t n, bool gainers)
{
    std::vector<std::pair<double, std::string>> ranked;
    for (const auto& [symbol, ticks] : feed.all()) ranked.emplace_back(change(ticks), symbol);
    std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first) return gainers ? a.first > b.first : a.first < b.first;
        return a.second < b.second;
    });
    std::vector<std::string> names;
    for (std::size_t i = 0; i < std::min(n, ranked.size()); ++i) names.push_back(ranked[i].second);
    return names;
}

void check_stats(query::client& c, test_feed& feed, const std::string& symbol, std::size_t n)
{
    const auto& ticks = feed.sent(symbol);
    const std::size_t k = std::min(n, ticks.size());
    const auto first = ticks.end() - static_cast<std::ptrdiff_t>(k);
    double high = first->price, low = first->price, sum = 0;
    double volume = 0;
    for (auto t = first; t != ticks.end(); ++t) {
        high = std::max(high, t->price);
        low = std::min(low, t->price);
        sum += t->price;
        volume += static_cast<double>(t->volume);
    }
    const auto r = must(c.ask("STATS " + symbol + " " + std::to_string(n)));
    INFO(r.text);
    REQUIRE(r.ok);
    CHECK(query::field(r.text, "ticks") == static_cast<double>(k));
    CHECK(query::field(r.text, "open") == Approx(first->price));
    CHECK(query::field(r.text, "high") == Approx(high));
    CHECK(query::field(r.text, "low") == Approx(low));
    CHECK(query::field(r.text, "close") == Approx(ticks.back().price));
    CHECK(query::field(r.text, "average").value_or(0) == Approx(sum / static_cast<double>(k)).epsilon(1e-6));
    CHECK(query::field(r.text, "volume") == volume);
    CHECK(query::field(r.text, "from_seq") == static_cast<double>(first->seq));
}

void check_history(query::client& c, test_feed& feed, const std::string& symbol, std::size_t n)
{
    const auto& ticks = feed.sent(symbol);
    const auto r = must(c.ask("history " + symbol + " " + std::to_string(n)));  // keywords in any case
    REQUIRE(r.ok);
    const auto got = lines(r.text);
    const std::size_t k = std::min(n, ticks.size());
    REQUIRE(got.size() == k);
    for (std::size_t i = 0; i < k; ++i) {
        const auto& t = ticks[ticks.size() - k + i];
        INFO(got[i]);
        CHECK(query::field(got[i], "seq") == static_cast<double>(t.seq));
        CHECK(query::field(got[i], "price") == Approx(t.price));
        CHECK(query::field(got[i], "volume") == static_cast<double>(t.volume));
    }
}

}  // namespace

void check_answers(query::client& c, test_feed& feed)
{
    for (const auto& [symbol, ticks] : feed.all()) {
        const auto r = must(c.ask("LAST " + symbol));
        INFO(r.text);
        REQUIRE(r.ok);
        CHECK(r.text.starts_with(symbol + " "));
        CHECK(query::field(r.text, "last") == Approx(ticks.back().price));
        CHECK(query::field(r.text, "bid") == Approx(ticks.back().bid));
        CHECK(query::field(r.text, "ask") == Approx(ticks.back().ask));
        CHECK(query::field(r.text, "seq") == static_cast<double>(ticks.back().seq));
        for (std::size_t n : {1u, 5u, 1000u}) check_stats(c, feed, symbol, n);
        for (std::size_t n : {1u, 7u, 1000u}) check_history(c, feed, symbol, n);

        const auto snap = must(c.ask("SNAPSHOT " + symbol));
        REQUIRE(snap.ok);
        REQUIRE(snap.state);
        CHECK(snap.symbol == symbol);
        query::symbol_state model;
        for (const auto& t : ticks) model.apply(t);
        CHECK(*snap.state == model);
    }
    for (const bool gainers : {true, false})
        for (std::size_t n : {1u, 3u, 10u}) {
            const auto r = must(c.ask("TOP " + std::to_string(n) + (gainers ? " GAINERS" : " losers")));
            INFO(r.text);
            REQUIRE(r.ok);
            std::vector<std::string> names;
            for (const auto& line : lines(r.text)) {
                std::istringstream in(line);
                std::string rank, name;
                in >> rank >> name;
                names.push_back(name);
            }
            CHECK(names == expected_top(feed, n, gainers));
        }
    const auto symbols = must(c.ask("SYMBOLS"));
    REQUIRE(symbols.ok);
    CHECK(lines(symbols.text).size() == feed.all().size());
    for (const auto& [symbol, ticks] : feed.all())
        CHECK_THAT(symbols.text, ContainsSubstring(symbol + " ticks=" + std::to_string(ticks.size())));

    // Errors say what and where; the server carries on.
    const auto unknown = must(c.ask("LAST NOPE"));
    CHECK_FALSE(unknown.ok);
    CHECK(unknown.text == "column 6: no ticks for symbol 'NOPE' (SYMBOLS lists the symbols seen)");
    const auto bad = must(c.ask("HISTORY AAPL lots"));
    CHECK_FALSE(bad.ok);
    CHECK(bad.text == "column 14: expected a whole number from 1 to 1000 for n, got 'lots'");
    CHECK(must(c.ask("LAST AAPL")).ok);
}

void check_concurrent_clients(zmq::context_t& ctx, const std::vector<std::string>& endpoint, test_feed& feed)
{
    // Each thread asks HISTORY with its own n: a reply meant for another
    // client would have another number of lines.
    const auto& aapl = feed.sent("AAPL");
    std::vector<std::string> failures(8);
    {
        std::vector<std::jthread> clients;
        for (std::size_t i = 0; i < failures.size(); ++i)
            clients.emplace_back([&, i] {
                query::client c(ctx, endpoint, 5s, 0);
                const std::size_t n = i + 1;
                for (int q = 0; q < 50 && failures[i].empty(); ++q) {
                    const auto r = c.ask("HISTORY AAPL " + std::to_string(n));
                    if (!r) failures[i] = r.error();
                    else if (!r->ok || lines(r->text).size() != n ||
                             query::field(lines(r->text).back(), "seq") != static_cast<double>(aapl.back().seq))
                        failures[i] = "client " + std::to_string(i) + " got: " + r->text;
                }
            });
    }
    for (const auto& f : failures) CHECK(f.empty());
}

void check_watch(zmq::context_t& ctx, query::client& c, const std::string& updates, test_feed& feed,
                 bool several_workers)
{
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::subscribe, "watch:tok-1");
    sub.connect(updates);
    const double threshold = feed.sent("AAPL").back().price + 50;  // nothing so far is above it
    const auto r = must(c.ask("WATCH AAPL > " + std::to_string(threshold) + " tok-1"));
    INFO(r.text);
    REQUIRE(r.ok);
    CHECK_THAT(r.text, ContainsSubstring("topic=watch:tok-1"));
    CHECK(must(c.ask("WATCH AAPL > " + std::to_string(threshold) + " tok-1")).ok);  // a retry: no second watch
    REQUIRE(must(c.ask("WATCH IBM < 1 tok-1")).ok);

    // Until the subscription has reached the server, matches are lost: tick
    // above the threshold until the first arrives.
    std::vector<zmq::message_t> msg;
    bool live = false;
    for (int i = 0; i < 500 && !live; ++i) {
        feed.publish("AAPL", threshold + 1);
        live = common::recv(sub, msg, {}, 10ms);
    }
    REQUIRE(live);
    while (common::recv(sub, msg, {}, 50ms)) {}  // the rest of the warm-up's matches

    // Now exactly the ticks above the threshold match, once each, in order.
    std::vector<std::uint64_t> expected;
    for (int i = 0; i < 10; ++i) {
        const auto t = feed.publish("AAPL", threshold + (i % 3 == 0 ? -1.0 : 2.0 + i));
        feed.publish("IBM", 100 + i);  // IBM never below 1: no match
        if (t.price > threshold) expected.push_back(t.seq);
    }
    // With several workers, a retried WATCH may have landed on two of them:
    // their copies of a match carry the same seq, and the client drops repeats.
    std::vector<std::uint64_t> got;
    int repeats = 0;
    while (common::recv(sub, msg, {}, got.size() < expected.size() ? 5s : 200ms)) {
        auto u = query::decode_update(msg);
        REQUIRE(u);
        CHECK(u->topic == "watch:tok-1");
        CHECK(u->tick.symbol == "AAPL");
        CHECK(u->tick.price > threshold);
        CHECK_THAT(u->condition, StartsWith("AAPL > "));
        if (!got.empty() && u->tick.seq <= got.back()) ++repeats;
        else got.push_back(u->tick.seq);
    }
    if (!several_workers) CHECK(repeats == 0);
    CHECK(got == expected);
}

}  // namespace query_test
