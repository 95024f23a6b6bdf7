// Helpers for the query engine's tests: a feed the test controls (an XPUB,
// so it knows when the servers have subscribed), a model that computes the
// expected answers from the ticks sent, and checks shared by every
// transport and layout.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "query.hpp"
#include "tick.hpp"

namespace query_test {

using namespace std::chrono_literals;

class test_feed {
public:
    test_feed(zmq::context_t& ctx, const std::string& endpoint);
    const std::string& endpoint() const { return endpoint_; }
    // Waits until n subscribers (query-servers) have subscribed.
    void wait_subscribers(int n);
    // Publishes the next tick of a symbol (seq counts from 1 per symbol).
    ticker::tick publish(const std::string& symbol, double price, std::uint64_t volume = 100);
    // A fixed pattern of ticks over AAPL, MSFT, IBM, GOOG.
    void publish_pattern(int rounds);
    const std::vector<ticker::tick>& sent(const std::string& symbol) { return sent_[symbol]; }
    const std::map<std::string, std::vector<ticker::tick>>& all() const { return sent_; }

private:
    zmq::socket_t xpub_;
    std::string endpoint_;
    std::map<std::string, std::vector<ticker::tick>> sent_;
};

// Asks LAST for every symbol the feed sent until the answers show the last
// tick `repeat` times in a row (more than once for a broker's workers).
void wait_applied(query::client& c, test_feed& feed, int repeat = 1);

// LAST, STATS, HISTORY, TOP, SYMBOLS, SNAPSHOT and errors, against the model.
void check_answers(query::client& c, test_feed& feed);
// Eight clients at once, each checking its own answers.
void check_concurrent_clients(zmq::context_t& ctx, const std::vector<std::string>& endpoint, test_feed& feed);
// WATCH: matches on the client's topic, exactly for the ticks that match.
void check_watch(zmq::context_t& ctx, query::client& c, const std::string& updates, test_feed& feed,
                 bool several_workers = false);

// The reply, which must be there.
query::reply must(common::result<query::reply> r);

}  // namespace query_test
