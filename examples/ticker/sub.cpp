// ticker-sub: SUB socket, connects (default tcp://127.0.0.1:5556). Follows
// symbols by topic prefix and prints each tick; notices missed ticks and a
// restarted publisher from the per-symbol sequence numbers.
#include <chrono>
#include <cstdio>
#include <map>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"
#include "ticker.hpp"

namespace ticker {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

constexpr int slow_rcvbuf = 4096;  // bytes: what --slow gives the kernel's receive buffer

void add_options(common::program& prog, sub_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    prog.add_endpoints("-c,--connect", opts.connect, "ticker", common::side::connect, "Publisher (or proxy) to connect to");
    app.add_option("-s,--symbol", opts.symbols, "Symbol to follow, matched as a prefix: 'A' follows AAPL and AMZN (repeatable; default: all)")
        ->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("");
    prog.add_count(opts.count, "ticks");
    app.add_option("--slow", opts.slow, "Pause this many milliseconds after each tick, to play a slow subscriber")->type_name("MS")->default_str("0");
    app.add_option("--rcvhwm", opts.rcvhwm, "Receive queue limit in messages (the high-water mark)")->check(CLI::NonNegativeNumber);
    app.add_option("--rcvbuf", opts.rcvbuf, "Kernel receive buffer in bytes (default: the OS's; with --slow: 4096)")->check(CLI::PositiveNumber);
    // A slow subscriber's backlog should pile up where the high-water mark applies,
    // not in the kernel's buffers (megabytes on loopback: tens of seconds of ticks).
    prog.after_parse([&opts] {
        if (opts.slow > 0ms && opts.rcvbuf < 0) opts.rcvbuf = slow_rcvbuf;
    });
    add_multicast_options(prog, opts.multicast_rate, opts.recovery_ivl);
}

namespace {

// One line per tick: symbol, price, and the change since the session opened.
void print(const common::console& out, const tick& t)
{
    const double change = t.price - t.open;
    const auto c = change > 0 ? common::colour::green : change < 0 ? common::colour::red : common::colour::none;
    char text[96];
    std::snprintf(text, sizeof text, "%-6s %10.2f  %s %+8.2f  %+6.2f%%", t.symbol.c_str(), t.price,
                  change > 0 ? "\u25B2" : change < 0 ? "\u25BC" : "=", change, 100.0 * change / t.open);
    out.info(out.paint(text, c));
}

std::string describe(const std::vector<std::string>& symbols)
{
    if (symbols.empty()) return "every symbol";
    std::string text = "symbols starting with ";
    for (const auto& s : symbols) text += (&s == &symbols.front() ? "" : ", ") + s;
    return text;
}

// " (N ticks/s)", from the first tick to the last.
std::string rate(std::uint64_t received, clock::duration elapsed)
{
    const double seconds = std::chrono::duration<double>(elapsed).count();
    if (received < 2 || seconds <= 0) return "";
    char text[48];
    const double per_second = static_cast<double>(received - 1) / seconds;
    std::snprintf(text, sizeof text, " (%.0f %s/s)", per_second, per_second < 1.5 ? "tick" : "ticks");
    return text;
}

// Sequence numbers per symbol reveal what the publisher dropped for us.
class gap_tracker {
public:
    explicit gap_tracker(const common::console& out) : out_(out) {}
    void saw(const tick& t, clock::time_point now)
    {
        auto [it, first] = last_seq_.try_emplace(t.symbol, t.seq);
        if (first) return;
        if (t.seq <= it->second)
            out_.info(t.symbol, ": the publisher restarted (sequence ", it->second, " -> ", t.seq, ")");
        else
            missed_ += t.seq - it->second - 1;
        it->second = t.seq;
        if (missed_ > 0 && now - last_report_ >= 1s) report(now);
    }
    // At most once a second, so a slow subscriber's warnings stay readable.
    void report(clock::time_point now)
    {
        if (missed_ == 0) return;
        out_.warn("missed ", common::count_of(missed_, "tick", "ticks"), ": the publisher dropped them while this subscriber's queue was full");
        missed_ = 0;
        last_report_ = now;
    }

private:
    const common::console& out_;
    std::map<std::string, std::uint64_t, std::less<>> last_seq_;
    std::uint64_t missed_ = 0;
    clock::time_point last_report_{};
};

}  // namespace

void run_sub(zmq::context_t& ctx, const sub_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    // slide: ticker-sub-socket
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::rcvhwm, opts.rcvhwm);
    if (opts.rcvbuf > 0) sub.set(zmq::sockopt::rcvbuf, opts.rcvbuf);
    set_multicast(sub, opts.multicast_rate, opts.recovery_ivl);  // epgm:// only
    auto monitor = common::monitor_if(opts.role.monitor, ctx, sub, "sub", out);
    // Filtering is a prefix match on the first frame, done by the publisher.
    if (opts.symbols.empty()) sub.set(zmq::sockopt::subscribe, "");
    for (const auto& symbol : opts.symbols)
        sub.set(zmq::sockopt::subscribe, symbol);
    for (const auto& ep : opts.connect) common::connect(sub, ep);
    // end slide
    out.info("following ", describe(opts.symbols), " from ", opts.connect.front(),
             opts.connect.size() > 1 ? " and others" : "");

    gap_tracker gaps(out);
    std::vector<zmq::message_t> msg;
    std::uint64_t received = 0;
    clock::time_point first, last;
    // slide: ticker-sub-loop
    while ((opts.count == 0 || received < opts.count) &&
           common::recv(sub, msg, stop)) {
        auto t = decode(msg);
        if (!t) {
            out.warn("dropped a malformed message: ", t.error());
            continue;
        }
        last = clock::now();
        if (received++ == 0) first = last;
        gaps.saw(*t, last);
        if (opts.on_tick) opts.on_tick(*t);
        else if (!out.quiet()) print(out, *t);
        if (opts.slow > 0ms && !common::sleep_for(opts.slow, stop)) break;
    }
    // end slide
    gaps.report(clock::now());
    out.summary(received, received == 1 ? " tick received" : " ticks received", rate(received, last - first));
}

}  // namespace ticker
