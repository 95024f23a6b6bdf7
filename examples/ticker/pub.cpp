// ticker-pub: PUB socket, binds (default tcp://*:5556) or connects to a
// proxy's frontend. Publishes random-walk
// prices, one two-frame message per tick (tick.hpp), at a steady rate.
#include <chrono>
#include <random>
#include <zmq_addon.hpp>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/subscriptions.hpp"
#include "common/stop.hpp"
#include "market.hpp"
#include "ticker.hpp"

namespace ticker {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr auto status_interval = 5s;

void add_options(common::program& prog, pub_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    prog.add_endpoints("-b,--bind", opts.bind, "ticker", common::side::bind, "Where subscribers connect");
    app.add_option("-c,--connect", opts.connect, "Connect to a proxy's frontend instead of binding (repeatable)")
        ->type_name("ENDPOINT")->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("");
    prog.after_parse([&app, &opts] {
        if (!opts.connect.empty() && app.count("--bind") == 0) opts.bind.clear();
    });
    app.add_option("-s,--symbol", opts.symbols, "Symbol to publish (repeatable; default: AAPL MSFT GOOG AMZN NVDA META TSLA IBM)")
        ->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("")
        ->check([](const std::string& s) { return s.empty() || s.size() > max_symbol_size ? "a symbol has 1 to 16 bytes" : ""; });
    app.add_option("-r,--rate", opts.rate, "Ticks per second; 'max' or 0: as fast as possible")
        ->transform(CLI::Validator([](std::string& text) {
            if (text == "max") text = "0";
            const auto rate = common::parse_double(text);
            return rate && *rate >= 0 ? std::string() : "expected a number of ticks per second, or max";
        }, ""))->type_name("N|max");
    prog.add_count(opts.count, "ticks");
    app.add_option("--seed", opts.seed, "Seed for reproducible prices (0: random)");
    app.add_option("--sndhwm", opts.sndhwm, "Send queue limit per subscriber in messages (the high-water mark)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--sndbuf", opts.sndbuf, "Kernel send buffer per subscriber in bytes (0: the OS's, megabytes on loopback)")
        ->check(CLI::NonNegativeNumber);
    add_multicast_options(prog, opts.multicast_rate, opts.recovery_ivl);
}

void add_multicast_options(common::program& prog, int& rate, int& recovery_ivl)
{
    auto& app = prog.app();
    app.add_option("--multicast-rate", rate, "pgm/epgm only: the most a publisher sends, in kbit/s (ZMQ_RATE)")
        ->check(CLI::PositiveNumber)->type_name("KBIT/S");
    app.add_option("--recovery-ivl", recovery_ivl,
                   "pgm/epgm only: how long sent data stays available to repair a subscriber's losses (ZMQ_RECOVERY_IVL)")
        ->check(CLI::NonNegativeNumber)->type_name("MS");
}

void set_multicast(zmq::socket_ref socket, int rate, int recovery_ivl)
{
    socket.set(zmq::sockopt::rate, rate);
    socket.set(zmq::sockopt::recovery_ivl, recovery_ivl);
}

void run_pub(zmq::context_t& ctx, const pub_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    const auto seed = opts.seed != 0 ? opts.seed : std::random_device{}();
    market prices(opts.symbols.empty() ? default_symbols() : opts.symbols, seed);

    // slide: ticker-pub-socket
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    set_multicast(pub, opts.multicast_rate, opts.recovery_ivl);  // epgm:// only
    // A lagging subscriber's backlog fills its queue (PUB drops for it alone),
    // not megabytes of kernel buffer.
    pub.set(zmq::sockopt::sndhwm, opts.sndhwm);
    if (opts.sndbuf > 0) pub.set(zmq::sockopt::sndbuf, opts.sndbuf);
    // A subscription over 512 bytes cuts its peer off (see subscriptions.hpp).
    auto monitor = common::limit_untrusted(ctx, pub,
        common::max_subscription_bytes, "pub", out, opts.role.monitor);
    for (const auto& ep : opts.bind)
        out.info("publishing on ", common::bind(pub, ep), " (seed ", seed, ")");
    for (const auto& ep : opts.connect) {
        common::connect(pub, ep);
        out.info("publishing to ", ep, " (seed ", seed, ")");
    }
    // end slide

    const auto interval = opts.rate > 0 ? std::chrono::duration_cast<clock::duration>(1s / opts.rate) : 0s;
    const auto start = clock::now();
    auto last_status = start;
    std::uint64_t sent = 0;
    while (!stop.stop_requested() && (opts.count == 0 || sent < opts.count)) {
        const auto due = start + sent * interval;  // a steady pace, whatever the delays
        if (due > clock::now() && !common::sleep_for(due - clock::now(), stop)) break;
        // slide: ticker-pub-send
        tick t = prices.next();
        t.time_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::system_clock::now().time_since_epoch()).count();
        // PUB never blocks: a subscriber whose queue is full just misses ticks.
        zmq::send_multipart(pub, encode(t));
        ++sent;
        // end slide

        if (!out.quiet() && clock::now() - last_status >= status_interval) {
            last_status = clock::now();
            const std::chrono::duration<double> elapsed = last_status - start;
            out.info(common::count_of(sent, "tick", "ticks"), " sent (", static_cast<long>(sent / elapsed.count()), "/s)");
        }
    }
    const std::chrono::duration<double> elapsed = clock::now() - start;
    out.summary("sent ", common::count_of(sent, "tick", "ticks"), " in ", elapsed.count(), " s");
}

}  // namespace ticker
