// query-client: REQ connects to a query-server or query-broker (default
// tcp://127.0.0.1:5580) and asks; no reply in time, it reopens the socket and
// asks again, a bounded number of times (Lazy Pirate). With --follow or
// --watch, a SUB also connects to the updates (default tcp://127.0.0.1:5581):
// a replica per symbol, kept by snapshot plus updates (Clone), and the
// matches of standing queries.
#include <array>
#include <iostream>
#include <map>
#include <poll.h>
#include <random>
#include <unistd.h>

#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"
#include "query.hpp"

namespace query {

void add_options(common::program& prog, client_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    app.add_option("query", opts.query, "One query, e.g. \"LAST AAPL\": print the answer and exit (none: read queries from stdin)");
    prog.add_endpoints("-c,--connect", opts.connect, "query", common::side::connect, "query-server or query-broker to ask");
    prog.add_endpoints("-u,--updates", opts.updates, "query-updates", common::side::connect, "Where --follow and --watch subscribe (the server's or broker's XPUB)");
    app.add_option("-w,--watch", opts.watch, "Standing query, e.g. \"AAPL > 190\": print its matches (repeatable)")
        ->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("");
    app.add_option("-f,--follow", opts.follow, "Keep a replica of this symbol: snapshot, then updates (repeatable)")
        ->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->default_str("")
        ->check([](const std::string& s) { return valid_symbol(s) ? "" : "a symbol has 1 to 16 printable characters"; });
    app.add_flag("--bot", opts.bot, "Ask a built-in query (TOP 3 GAINERS, STATS AAPL 20...) every --bot-interval");
    app.add_option("--bot-interval", opts.bot_interval, "Pause between the bot's queries")->type_name("MS")->default_str("2000");
    app.add_option("--timeout", opts.timeout, "Wait this long for each reply")->type_name("MS")->default_str("1000");
    app.add_option("--retries", opts.retries, "Ask again this many times when no reply comes")->check(CLI::Range(0, 100));
    prog.add_count(opts.count, "updates or matches (--follow, --watch)");
    app.add_option("--rcvhwm", opts.rcvhwm, "Updates queue limit, in messages")->check(CLI::NonNegativeNumber);
    app.add_option("--slow", opts.slow, "Pause this many milliseconds after each update, to play a slow client")->type_name("MS")->default_str("0");
    app.add_option("--rcvbuf", opts.rcvbuf, "Kernel receive buffer for updates in bytes (default: the OS's; with --slow: 4096)")
        ->check(CLI::PositiveNumber);
    // Repeatable options take one value each time, so that a query after them stays the query.
    for (const char* name : {"--connect", "--updates", "--watch", "--follow"}) app.get_option(name)->allow_extra_args(false);
    prog.after_parse([&opts] {
        if (opts.timeout <= 0ms) throw common::usage_error("--timeout must be above 0");
        const int modes = !opts.query.empty() + (!opts.watch.empty() || !opts.follow.empty()) + opts.bot;
        if (modes > 1) throw common::usage_error("give one of: a query, --watch/--follow, --bot");
        // A slow client's backlog piles up where the high-water marks apply, not in the kernel.
        if (opts.slow > 0ms && opts.rcvbuf < 0) opts.rcvbuf = 4096;
    });
}

client::client(zmq::context_t& ctx, std::vector<std::string> endpoints, std::chrono::milliseconds timeout, int retries)
    : ctx_(ctx), endpoints_(std::move(endpoints)), timeout_(timeout), retries_(retries)
{
    if (endpoints_.empty()) throw std::invalid_argument("query::client needs an endpoint");
}

void client::open()
{
    socket_.emplace(ctx_, zmq::socket_type::req);
    socket_->set(zmq::sockopt::linger, 0);
    for (const auto& ep : endpoints_) common::connect(*socket_, ep);
}

common::result<reply> decode_reply(common::frames msg)
{
    using failure = common::result<reply>;
    if (msg.size() != 2 && msg.size() != 4) return failure::failure("a reply has 2 or 4 frames, not " + std::to_string(msg.size()));
    reply r;
    const auto status = msg[0].to_string_view();
    if (status != word::ok && status != word::error) return failure::failure("a reply starts with OK or ERR, not '" + common::printable(status) + "'");
    r.ok = status == word::ok;
    r.text = msg[1].to_string();
    if (!common::valid_utf8(r.text)) return failure::failure("a reply's text is not UTF-8");
    if (msg.size() == 4) {
        auto symbol = common::text_frame(msg[2], ticker::max_symbol_size, "symbol");
        if (!symbol) return failure::failure(symbol.error());
        auto state = decode_state(msg[3]);
        if (!state) return failure::failure(state.error());
        r.symbol = *symbol;
        r.state = *state;
    }
    return r;
}

common::result<reply> client::ask(std::string_view text, std::stop_token stop)
{
    using failure = common::result<reply>;
    // slide: query-client-retry
    for (int attempt = 0; attempt <= retries_; ++attempt) {
        if (!socket_) open();
        std::array request{zmq::message_t(text.data(), text.size())};
        if (common::send(*socket_, request, stop, timeout_) &&
            common::recv(*socket_, msg_, stop, timeout_))
            break;
        if (stop.stop_requested()) return failure::failure("stopped");
        // A REQ that got no reply cannot send again: a fresh socket it is.
        socket_.reset();
    }
    // end slide
    if (!socket_)
        return failure::failure("no reply from " + endpoints_.front() + " after " + std::to_string(retries_ + 1) +
                                (retries_ == 0 ? " attempt" : " attempts") + " of " + std::to_string(timeout_.count()) +
                                " ms: is a query-server (or query-broker) running there?");
    return decode_reply(msg_);
}

common::result<reply> ask(zmq::context_t& ctx, const std::string& endpoint, std::string_view text,
                          std::chrono::milliseconds timeout, int retries, std::stop_token stop)
{
    client c(ctx, {endpoint}, timeout, retries);
    return c.ask(text, stop);
}

namespace {

// The answer, as the server wrote it: one line each.
void print_reply(const common::console& out, const reply& r)
{
    if (!r.ok) {
        out.error(r.text);
        return;
    }
    if (!r.text.empty()) std::cout << r.text << '\n' << std::flush;
}

reply must_ask(client& c, std::string_view text, std::stop_token stop)
{
    auto r = c.ask(text, stop);
    if (!r) throw std::runtime_error(r.error());
    return std::move(*r);
}

std::string random_token()
{
    std::random_device rd;
    char text[20];
    std::snprintf(text, sizeof text, "%08x%08x", rd(), rd());
    return text;
}

// Queries from stdin, one a line, until end of input or stop. An error reply
// is part of the conversation: the status stays 0.
void interactive(const common::console& out, client& c, const client_options& opts, std::stop_token stop)
{
    const bool terminal = ::isatty(STDIN_FILENO) != 0;
    if (terminal) std::cout << "Queries, one a line (HELP lists them; Ctrl-D ends):\n" << std::flush;
    std::string pending;
    char buffer[4096];
    for (;;) {
        pollfd in{STDIN_FILENO, POLLIN, 0};
        if (stop.stop_requested()) return;
        const int ready = ::poll(&in, 1, static_cast<int>(common::stop_check_interval.count()));
        if (ready <= 0) continue;  // timeout or EINTR
        const auto n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) break;
        pending.append(buffer, static_cast<std::size_t>(n));
        for (auto eol = pending.find('\n'); eol != std::string::npos; eol = pending.find('\n')) {
            std::string line = pending.substr(0, eol);
            pending.erase(0, eol + 1);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.find_first_not_of(' ') == std::string::npos) continue;
            auto r = c.ask(line, stop);
            if (!r) {
                if (stop.stop_requested()) return;
                throw std::runtime_error(r.error());
            }
            if (opts.events.on_reply) opts.events.on_reply(*r);
            else print_reply(out, *r);
        }
    }
}

// Questions for the stage, one every interval; a missing answer is only a warning.
void bot(const common::console& out, client& c, const client_options& opts, std::stop_token stop)
{
    constexpr std::array<std::string_view, 5> queries{"TOP 3 GAINERS", "STATS AAPL 20", "LAST MSFT", "TOP 2 LOSERS", "SYMBOLS"};
    for (std::size_t i = 0; common::sleep_for(opts.bot_interval, stop); ++i) {
        const auto q = queries[i % queries.size()];
        const auto r = c.ask(q, stop);
        if (!r) {
            if (!stop.stop_requested()) out.warn(q, ": ", r.error());
            continue;
        }
        if (opts.events.on_reply) opts.events.on_reply(*r);
        else if (r->ok) out.info(q, " ->\n", r->text);
        else out.warn(q, ": ", r->text);
    }
}

// "AAPL>190" or "AAPL > 190" -> "AAPL > 190": a condition that needs no quotes on a command line.
std::string spaced(const std::string& condition)
{
    std::string out;
    for (char ch : condition) {
        if (ch == '>' || ch == '<') (out += ' ', out += ch) += ' ';
        else out += ch;
    }
    return out;
}

void print_match(const common::console& out, const std::string& condition, const ticker::tick& t)
{
    char text[128];
    std::snprintf(text, sizeof text, "match %s: %s %.2f (seq %llu)", condition.c_str(), t.symbol.c_str(), t.price,
                  static_cast<unsigned long long>(t.seq));
    out.info(out.paint(text, common::colour::yellow));
}

// A replica per symbol: a snapshot, then every update in order. A gap in the
// sequence numbers means updates were lost: take a new snapshot.
class replicas {
public:
    replicas(const common::console& out, client& c, const client_events& events, std::stop_token stop)
        : out_(out), client_(c), events_(events), stop_(stop) {}

    void follow(const std::string& symbol) { resync(symbol); }

    void on_update(const ticker::tick& t)
    {
        // slide: query-client-gap
        auto it = states_.find(t.symbol);
        if (it == states_.end()) return;
        auto& s = it->second;
        const bool restarted = t.seq == 1 && s.seq > 1;  // the feed started again
        if (t.seq <= s.seq && !restarted) return;  // seen (another worker's copy)
        if (t.seq != s.seq + 1) {
            out_.warn(t.symbol, resync_reason(restarted, s.seq + 1, t.seq));
            resync(t.symbol);
            if (t.seq != s.seq + 1) return;  // the snapshot has it, or is behind
        }
        s.apply(t);
        // end slide
        if (events_.on_update) events_.on_update(t.symbol, s);
        else print(t.symbol, s, "");
    }

private:
    // Why a replica takes a new snapshot, for the log.
    static std::string resync_reason(bool restarted, std::uint64_t expected, std::uint64_t got)
    {
        if (restarted) return ": the feed restarted: re-syncing";
        return ": expected update " + std::to_string(expected) + ", got " + std::to_string(got) + ": re-syncing";
    }
    void resync(const std::string& symbol)
    {
        const auto r = must_ask(client_, "SNAPSHOT " + symbol, stop_);
        auto& state = states_[symbol];
        state = r.ok && r.state ? *r.state : symbol_state{};  // no ticks yet: start from nothing
        if (events_.on_resync) events_.on_resync(symbol, state);
        else print(symbol, state, r.ok ? " (snapshot)" : " (no ticks yet)");
    }
    void print(const std::string& symbol, const symbol_state& s, std::string_view note)
    {
        char text[160];
        std::snprintf(text, sizeof text, "%-6s %10.2f  high %.2f low %.2f  ticks %llu  seq %llu%.*s", symbol.c_str(),
                      s.last, s.high, s.low, static_cast<unsigned long long>(s.ticks),
                      static_cast<unsigned long long>(s.seq), static_cast<int>(note.size()), note.data());
        out_.info(text);
    }

    const common::console& out_;
    client& client_;
    const client_events& events_;
    std::stop_token stop_;
    std::map<std::string, symbol_state, std::less<>> states_;
};

bool follow(const common::console& out, client& c, zmq::context_t& ctx, const client_options& opts, std::stop_token stop)
{
    // Subscribe first, then take the snapshots: updates that come meanwhile
    // wait in the queue, and those the snapshot already has are skipped.
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::rcvhwm, opts.rcvhwm);
    if (opts.rcvbuf > 0) sub.set(zmq::sockopt::rcvbuf, opts.rcvbuf);
    auto monitor = common::monitor_if(opts.role.monitor, ctx, sub, "sub", out);
    const std::string token = random_token();
    for (const auto& symbol : opts.follow) sub.set(zmq::sockopt::subscribe, std::string(update_prefix) + symbol);
    if (!opts.watch.empty()) sub.set(zmq::sockopt::subscribe, std::string(watch_prefix) + token);
    for (const auto& ep : opts.updates) common::connect(sub, ep);

    for (const auto& condition : opts.watch) {
        const auto r = must_ask(c, "WATCH " + spaced(condition) + " " + token, stop);
        if (!r.ok) {
            out.error(r.text);
            return false;
        }
        out.info(r.text);
    }
    replicas books(out, c, opts.events, stop);
    for (const auto& symbol : opts.follow) books.follow(symbol);

    std::vector<zmq::message_t> msg;
    std::map<std::string, std::uint64_t> last_match;  // per condition: a repeat from another worker has the same seq
    std::uint64_t received = 0;
    while ((opts.count == 0 || received < opts.count) && common::recv(sub, msg, stop)) {
        auto u = decode_update(msg);
        if (!u) {
            out.warn("dropped a malformed update: ", u.error());
            continue;
        }
        if (u->condition.empty()) {
            books.on_update(u->tick);
        } else {
            auto& seen = last_match[u->condition + " " + u->tick.symbol];
            if (u->tick.seq <= seen) continue;
            seen = u->tick.seq;
            if (opts.events.on_match) opts.events.on_match(match{u->condition, u->tick});
            else print_match(out, u->condition, u->tick);
        }
        ++received;
        if (opts.slow > 0ms && !common::sleep_for(opts.slow, stop)) break;
    }
    return true;
}

}  // namespace

bool run_client(zmq::context_t& ctx, const client_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    client c(ctx, opts.connect, opts.timeout, opts.retries);
    if (!opts.watch.empty() || !opts.follow.empty()) return follow(out, c, ctx, opts, stop);
    if (opts.bot) {
        bot(out, c, opts, stop);
        return true;
    }
    if (opts.query.empty()) {
        interactive(out, c, opts, stop);
        return true;
    }

    auto r = c.ask(opts.query, stop);
    if (!r) {
        if (stop.stop_requested()) return true;
        throw std::runtime_error(r.error());
    }
    if (opts.events.on_reply) opts.events.on_reply(*r);
    else print_reply(out, *r);
    return r->ok;
}

}  // namespace query
