// query-server: SUB connects to the feed (default tcp://127.0.0.1:5556);
// ROUTER binds for queries (default tcp://*:5580); XPUB binds for updates and
// watch matches (default tcp://*:5581). Behind query-broker, the ROUTER and
// the XPUB connect instead (--connect, --publish-connect). One thread, one
// poll loop: ticks update the store and go out as updates; queries are
// answered from the store; unsubscriptions end standing queries.
#include <algorithm>
#include <array>
#include <cstdio>
#include <random>
#include <zmq_addon.hpp>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/subscriptions.hpp"
#include "common/stop.hpp"
#include "query.hpp"
#include "store.hpp"

namespace query {

namespace {
constexpr std::size_t batch = 64;  // messages taken from one socket before looking at the others
}

void add_options(common::program& prog, server_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    prog.add_endpoints("-f,--feed", opts.feed, "ticker", common::side::connect, "Ticker feed to follow (ticker-pub or ticker-proxy)");
    prog.add_endpoints("-b,--bind", opts.bind, "query", common::side::bind, "ROUTER: where clients send queries");
    app.add_option("-c,--connect", opts.connect, "Connect the ROUTER to a query-broker's backend instead of binding (repeatable)")
        ->type_name("ENDPOINT")->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("");
    prog.add_endpoints("-p,--publish", opts.publish, "query-updates", common::side::bind, "XPUB: updates and watch matches");
    app.add_option("--publish-connect", opts.publish_connect, "Connect the XPUB to a query-broker's publishers' side instead of binding (repeatable)")
        ->type_name("ENDPOINT")->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("");
    prog.after_parse([&app, &opts] {  // behind a broker: no default binds
        if (!opts.connect.empty() && app.count("--bind") == 0) opts.bind.clear();
        if (!opts.publish_connect.empty() && app.count("--publish") == 0) opts.publish.clear();
    });
    app.add_option("--history", opts.history, "Ticks kept per symbol")->check(CLI::Range(1, 1000000));
    app.add_option("--max-watches", opts.max_watches, "Standing queries kept, all clients together")->check(CLI::NonNegativeNumber);
    app.add_option("--sndhwm", opts.sndhwm, "Updates queue limit per subscriber, in messages (the high-water mark)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--sndbuf", opts.sndbuf, "Kernel send buffer per subscriber in bytes (0: the OS's, megabytes on loopback)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--drop-update", opts.drop_update, "Testing: never publish the update with this sequence number")->group("");
}

namespace {

struct watch {
    std::string symbol;
    bool above;
    double price;
    std::string topic;      // "watch:" token
    std::string condition;  // "AAPL > 190"
};

class server {
public:
    server(zmq::context_t& ctx, const server_options& opts, const common::console& out)
        : opts_(opts), out_(out), feed_(ctx, zmq::socket_type::sub), router_(ctx, zmq::socket_type::router),
          xpub_(ctx, zmq::socket_type::xpub), store_(opts.history)
    {
        feed_monitor_ = common::monitor_if(opts.role.monitor, ctx, feed_, "feed", out);
        router_monitor_ = common::monitor_if(opts.role.monitor, ctx, router_, "router", out);
        // A subscription over 512 bytes cuts its peer off (common/subscriptions.hpp).
        xpub_monitor_ = common::limit_untrusted(ctx, xpub_, common::max_subscription_bytes, "xpub", out, opts.role.monitor);
        // A client that falls behind loses updates here, at the high-water
        // mark, within seconds (it sees the gap and takes a snapshot), not
        // after megabytes of kernel buffer.
        xpub_.set(zmq::sockopt::sndhwm, opts.sndhwm);
        if (opts.sndbuf > 0) xpub_.set(zmq::sockopt::sndbuf, opts.sndbuf);
        feed_.set(zmq::sockopt::subscribe, "");
        for (const auto& ep : opts.feed) common::connect(feed_, ep);
        for (const auto& ep : opts.bind) out.info("answering queries on ", common::bind(router_, ep));
        for (const auto& ep : opts.connect) {
            common::connect(router_, ep);
            out.info("answering queries from the broker at ", ep);
        }
        for (const auto& ep : opts.publish) out.info("publishing updates on ", common::bind(xpub_, ep));
        for (const auto& ep : opts.publish_connect) {
            common::connect(xpub_, ep);
            out.info("publishing updates to the broker at ", ep);
        }
        out.info("following the feed at ", opts.feed.empty() ? "(nothing)" : opts.feed.front());
        std::random_device seed;
        token_base_ = std::to_string(seed() % 0xFFFFFF) + "-";
    }

    void run(std::stop_token stop)
    {
        // slide: query-server-poll
        std::array<zmq::pollitem_t, 3> items{{{feed_.handle(), 0, ZMQ_POLLIN, 0},
                                               {router_.handle(), 0, ZMQ_POLLIN, 0},
                                               {xpub_.handle(), 0, ZMQ_POLLIN, 0}}};
        while (common::poll(items, stop)) {
            std::size_t i = 0;
            for (i = 0; i < batch && common::recv(feed_, msg_, stop, 0ms); ++i)
                on_tick();
            for (i = 0; i < batch && common::recv(router_, msg_, stop, 0ms); ++i)
                on_query();
            for (i = 0; i < batch && common::recv(xpub_, msg_, stop, 0ms); ++i)
                on_subscription();
        }
        // end slide
        out_.summary("answered ", common::count_of(answered_, "query", "queries"), " (",
                     common::count_of(errors_, "error", "errors"), "), applied ", common::count_of(ticks_, "tick", "ticks"),
                     ", ", common::count_of(store_.size(), "symbol", "symbols"));
    }

private:
        void on_tick()
    {
        auto t = ticker::decode(msg_);
        if (!t) {
            out_.warn("dropped a malformed tick: ", t.error());
            return;
        }
        if (!store_.apply(*t)) return;  // a repeat, or the feed restarted: nothing new
        ++ticks_;
        // The update is the tick, on topic "sym:" + symbol; its seq lets a
        // replica notice what it missed.
        if (t->seq != opts_.drop_update) {
            std::array<zmq::message_t, 2> update{zmq::message_t(std::string(update_prefix) + t->symbol),
                                                 zmq::message_t(msg_[1].data(), msg_[1].size())};
            zmq::send_multipart(xpub_, update, zmq::send_flags::dontwait);
        }
        for (const auto& w : watches_) {
            if (w.symbol != t->symbol || (w.above ? t->price <= w.price : t->price >= w.price)) continue;
            std::array<zmq::message_t, 4> hit{zmq::message_t(w.topic), zmq::message_t(w.condition),
                                              zmq::message_t(t->symbol), zmq::message_t(msg_[1].data(), msg_[1].size())};
            zmq::send_multipart(xpub_, hit, zmq::send_flags::dontwait);
        }
    }

        // [routing ids...] [""] [query]: the envelope goes back as it came, so
    // the reply finds its way through any number of ROUTERs (the broker's).
    void on_query()
    {
        std::size_t delimiter = 0;
        while (delimiter < msg_.size() && msg_[delimiter].size() != 0) ++delimiter;
        if (delimiter == 0 || delimiter == msg_.size()) {
            out_.warn("dropped a request without an envelope (", msg_.size(), " frames; a DEALER client sends an empty frame first)");
            return;
        }
        reply_.clear();
        snapshot_ = nullptr;
        for (std::size_t i = 0; i <= delimiter; ++i) reply_.push_back(std::move(msg_[i]));
        const bool ok = msg_.size() == delimiter + 2 ? answer(msg_[delimiter + 1]) : fail("expected one frame, the query, after the empty frame");
        ++answered_;
        if (!ok) ++errors_;
        reply_.emplace_back(ok ? word::ok.data() : word::error.data(), ok ? word::ok.size() : word::error.size());
        reply_.emplace_back(text_.data(), text_.size());
        if (ok && snapshot_ != nullptr) {
            reply_.emplace_back(snapshot_symbol_.data(), snapshot_symbol_.size());
            reply_.push_back(encode_state(*snapshot_));
        }
        // ROUTER never blocks: a reply for a client that is gone is dropped.
        zmq::send_multipart(router_, reply_, zmq::send_flags::dontwait);
    }

    bool fail(std::string why)
    {
        text_ = std::move(why);
        return false;
    }

    bool answer(const zmq::message_t& frame)
    {
        auto text = common::text_frame(frame, max_query_size, "query");
        if (!text) return fail(text.error());
        auto r = parse(*text);
        if (!r) return fail(r.error());
        if (r->what == verb::watch) return add_watch(*r);
        if (store_.answer(*r, text_, &snapshot_)) {
            if (snapshot_ != nullptr) snapshot_symbol_.assign(r->symbol);
            return true;
        }
        if (!r->symbol.empty())  // where: the symbol's column
            text_ = "column " + std::to_string(r->symbol.data() - text->data() + 1) + ": " + text_;
        return false;
    }

    // Standing queries live until nobody subscribes to their topic (the XPUB
    // tells) or, for one never subscribed to, until the list is full.
    bool add_watch(const request& r)
    {
        const std::string topic = std::string(watch_prefix) +
                                  (r.token.empty() ? token_base_ + std::to_string(++tokens_) : std::string(r.token));
        char price[32];
        std::snprintf(price, sizeof price, "%g", r.price);
        std::string condition = std::string(r.symbol) + (r.above ? " > " : " < ") + price;
        const bool known = std::any_of(watches_.begin(), watches_.end(), [&](const watch& w) {
            return w.topic == topic && w.condition == condition;  // a retried WATCH
        });
        if (!known) {
            if (watches_.size() >= opts_.max_watches)
                return fail("too many standing queries (" + std::to_string(opts_.max_watches) + "); try again later");
            watches_.push_back({std::string(r.symbol), r.above, r.price, topic, condition});
            out_.info("watching ", condition, " for topic ", topic);
        }
        text_ = "watching " + condition + " topic=" + topic;
        return true;
    }

    // XPUB: \x01topic (first subscriber) or \x00topic (last one gone).
    void on_subscription()
    {
        if (msg_.size() != 1 || msg_[0].size() == 0) return;
        const auto* bytes = static_cast<const char*>(msg_[0].data());
        const std::string_view topic(bytes + 1, msg_[0].size() - 1);
        if (bytes[0] != 0 || !topic.starts_with(watch_prefix)) return;
        const auto before = watches_.size();
        std::erase_if(watches_, [&](const watch& w) { return w.topic == topic; });
        if (watches_.size() != before)
            out_.info("nobody follows ", common::printable(topic), " any more: ", before - watches_.size(),
                      " standing queries ended");
    }

    const server_options& opts_;
    const common::console& out_;
    zmq::socket_t feed_, router_, xpub_;
    std::unique_ptr<common::socket_monitor> feed_monitor_, router_monitor_, xpub_monitor_;
    store store_;
    std::vector<watch> watches_;
    std::vector<zmq::message_t> msg_, reply_;
    std::string text_, snapshot_symbol_, token_base_;
    const symbol_state* snapshot_ = nullptr;
    std::uint64_t answered_ = 0, errors_ = 0, ticks_ = 0, tokens_ = 0;
};

}  // namespace

void run_server(zmq::context_t& ctx, const server_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    server s(ctx, opts, out);
    s.run(stop);
}

}  // namespace query
