// The ticker's programs as separate processes, over tcp and ipc.
#include "catch.hpp"
#include <csignal>
#include <set>
#include <sstream>
#include <thread>
#include <zmq_addon.hpp>

#include "common/program.hpp"
#include "common/stop.hpp"
#include "cli.hpp"
#include "endpoints.hpp"
#include "market.hpp"
#include "process.hpp"
#include "ready.hpp"
#include "ticker_subscribers.hpp"

using namespace std::chrono_literals;
using support::process;
using support::ready;

namespace {

using ticker_test::tick_symbols;

std::unique_ptr<process> start_pub(const std::string& endpoint, std::vector<std::string> extra = {})
{
    std::vector<std::string> argv{TICKER_PUB, "--bind", endpoint, "--rate", "500", "--seed", "7"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<process>(argv);
}

// Two subscribers with different filters each see only their own symbols.
void check_two_subscribers(const std::string& feed)
{
    process apple({TICKER_SUB, "--connect", feed, "--symbol", "AAPL", "--count", "20", "--name", "apple"});
    process m_stocks({TICKER_SUB, "--connect", feed, "--symbol", "M", "--count", "20", "--name", "m"});
    ticker_test::check_apple_and_m(apple, m_stocks);
}

void check_publisher_and_subscribers(const std::string& transport)
{
    support::private_dir dir;
    auto pub = start_pub(support::fresh_endpoint(transport, dir, "feed"));
    check_two_subscribers(ready(*pub, "publishing on"));
}

void check_through_proxy(const std::string& transport)
{
    support::private_dir dir;
    auto pub = start_pub(support::fresh_endpoint(transport, dir, "feed"));
    const auto feed = ready(*pub, "publishing on");
    process proxy({TICKER_PROXY, "--connect", feed, "--bind", support::fresh_endpoint(transport, dir, "proxy"),
                   "--control", support::fresh_endpoint(transport, dir, "control")});
    const auto backend = ready(proxy, "subscribers connect to");
    const auto control = ready(proxy, "control on");

    check_two_subscribers(backend);
    // The subscriptions travelled upstream through the XPUB.
    CHECK(proxy.wait_for("subscribe 'AAPL' travels upstream"));
    CHECK(proxy.wait_for("subscribe 'M' travels upstream"));

    auto ctl = [&](const std::string& cmd) { return support::run({TICKER_PROXY_CTL, "--connect", control, cmd}); };
    const auto stats = ctl("STATISTICS");
    CHECK(stats.status == 0);
    CHECK_THAT(stats.output, ContainsSubstring("OK frontend in"));
    // PAUSE holds the ticks back (the proxy reads nothing from the publisher);
    // RESUME lets them through again.
    auto frontend_in = [&] {
        const auto r = ctl("STATISTICS");
        INFO(r.output);
        REQUIRE(r.status == 0);
        std::istringstream in(r.output.substr(r.output.find("frontend in ") + 12));
        std::uint64_t n = 0;
        in >> n;
        return n;
    };
    // A subscriber to everything, so that ticks keep coming to the proxy.
    process follower({TICKER_SUB, "--connect", backend, "--name", "follower"});
    REQUIRE(follower.wait_for("AAPL"));
    CHECK(ctl("PAUSE").status == 0);
    const auto paused_at = frontend_in();
    // An observation window, not a synchronisation: at 500 ticks/s an
    // unpaused proxy would read ~150 ticks in it.
    std::this_thread::sleep_for(300ms);
    CHECK(frontend_in() == paused_at);
    CHECK(ctl("RESUME").status == 0);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (frontend_in() == paused_at && std::chrono::steady_clock::now() < deadline) {}
    CHECK(frontend_in() > paused_at);
    const auto bad = ctl("SELF-DESTRUCT");
    CHECK(bad.status == 1);
    CHECK_THAT(bad.output, ContainsSubstring("ERROR unknown command"));
    CHECK(ctl("STATISTICS").status == 0);  // still alive after a bad command
    CHECK(ctl("TERMINATE").status == 0);
    CHECK(proxy.wait_exit(5s) == 0);
}

}  // namespace

TEST_CASE("tcp: a publisher and two subscribers with different filters", "[tcp]") { check_publisher_and_subscribers("tcp"); }
TEST_CASE("ipc: a publisher and two subscribers with different filters", "[ipc]") { check_publisher_and_subscribers("ipc"); }
TEST_CASE("tcp: the same through the proxy, steered from outside", "[tcp]") { check_through_proxy("tcp"); }
TEST_CASE("ipc: the same through the proxy, steered from outside", "[ipc]") { check_through_proxy("ipc"); }

TEST_CASE("tcp: several publishers connect to the proxy's bound frontend", "[tcp]")
{
    process proxy({TICKER_PROXY, "--frontend-bind", support::any_tcp, "--bind", support::any_tcp,
                   "--control", support::any_tcp});
    const auto frontend = ready(proxy, "publishers connect to");
    const auto backend = ready(proxy, "subscribers connect to");
    process acme({TICKER_PUB, "--connect", frontend, "--symbol", "ACME", "--rate", "200"});
    process initech({TICKER_PUB, "--connect", frontend, "--symbol", "INITECH", "--rate", "200"});
    REQUIRE(acme.wait_for("publishing to"));
    REQUIRE(initech.wait_for("publishing to"));

    process sub({TICKER_SUB, "--connect", backend, "--count", "40"});
    INFO(sub.output());
    REQUIRE(sub.wait_exit(30s) == 0);
    std::set<std::string> seen;
    for (const auto& s : tick_symbols(sub)) seen.insert(s);
    CHECK(seen == std::set<std::string>{"ACME", "INITECH"});
}

TEST_CASE("tcp: every message on the wire decodes per the documented protocol", "[tcp]")
{
    auto pub = start_pub(support::any_tcp);
    const auto feed = ready(*pub, "publishing on");

    // Decoded here by hand from the README's frame table, not with ticker::decode.
    auto ctx = common::make_context();
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::subscribe, "");
    sub.connect(feed);
    const auto symbols = ticker::default_symbols();
    std::map<std::string, std::uint64_t> last_seq;
    const auto now_ns = std::chrono::system_clock::now().time_since_epoch() / 1ns;
    for (int i = 0; i < 200; ++i) {
        std::vector<zmq::message_t> msg;
        REQUIRE(common::recv(sub, msg, {}, 10s));
        REQUIRE(msg.size() == 2);
        const auto symbol = msg[0].to_string();
        CHECK(std::find(symbols.begin(), symbols.end(), symbol) != symbols.end());
        REQUIRE(msg[1].size() == 56);
        struct { std::uint64_t seq; std::int64_t time_ns; double price, open, bid, ask; std::uint64_t volume; } q;
        static_assert(sizeof q == 56);
        std::memcpy(&q, msg[1].data(), 56);  // little-endian host, no padding
        if (last_seq.count(symbol)) CHECK(q.seq == last_seq[symbol] + 1);
        last_seq[symbol] = q.seq;
        CHECK(std::llabs(q.time_ns - now_ns) < 60'000'000'000LL);
        CHECK(q.bid < q.price);
        CHECK(q.price < q.ask);
        CHECK(q.open > 0);
        CHECK(q.volume % 100 == 0);
    }
}

TEST_CASE("tcp: a malformed message is reported and skipped, and the subscriber goes on", "[tcp]")
{
    auto ctx = common::make_context();
    zmq::socket_t xpub(ctx, zmq::socket_type::xpub);  // XPUB: the subscription tells us it is ready
    const auto ep = common::bind(xpub, support::any_tcp);
    process sub({TICKER_SUB, "--connect", ep, "--count", "2"});
    std::vector<zmq::message_t> subscription;
    REQUIRE(common::recv(xpub, subscription, {}, 10s));

    auto send = [&](std::vector<std::string> frames) {
        std::vector<zmq::message_t> msg;
        for (auto& f : frames) msg.emplace_back(f.data(), f.size());
        zmq::send_multipart(xpub, msg);
    };
    const std::string good_quote = [] {
        auto frames = ticker::encode({"AAPL", 1, 0, 10.0, 10.0, 9.99, 10.01, 100});
        return frames[1].to_string();
    }();
    send({"AAPL"});                                 // one frame
    send({"AAPL", good_quote, "extra"});            // three frames
    send({"AAPL", good_quote.substr(0, 55)});       // short quote
    send({"", good_quote});                         // empty symbol
    send({"AA\xFF\xFE", good_quote});               // not UTF-8
    send({"AAPL", "not a quote"});
    send({"AAPL", good_quote});
    send({"AAPL", good_quote});

    INFO(sub.output());
    REQUIRE(sub.wait_exit(10s) == 0);
    CHECK(sub.lines_with("dropped a malformed message").size() == 6);
    CHECK(sub.wait_for("expected 2 frames, got 1", 0ms));
    CHECK(sub.wait_for("expected 2 frames, got 3", 0ms));
    CHECK(sub.wait_for("quote frame must be 56 bytes, got 55", 0ms));
    CHECK(sub.wait_for("symbol is empty", 0ms));
    CHECK(sub.wait_for("symbol is not valid UTF-8", 0ms));
    CHECK(tick_symbols(sub).size() == 2);
}

TEST_CASE("tcp: a subscriber that stops reading neither blocks nor slows the publisher", "[tcp]")
{
    auto pub = start_pub(support::any_tcp, {"--rate", "max"});
    const auto feed = ready(*pub, "publishing on");

    // A subscriber that reads one tick, then nothing: its queues fill up (the
    // small kernel buffer makes that quick), and PUB's mute state is to drop.
    auto ctx = common::make_context();
    zmq::socket_t stalled(ctx, zmq::socket_type::sub);
    stalled.set(zmq::sockopt::rcvhwm, 100);
    stalled.set(zmq::sockopt::rcvbuf, 4096);
    stalled.set(zmq::sockopt::subscribe, "");
    stalled.connect(feed);
    std::vector<zmq::message_t> msg;
    REQUIRE(common::recv(stalled, msg, {}, 10s));

    // Meanwhile another subscriber gets all it asks for: the publisher is not blocked.
    constexpr int wanted = 400'000;
    process active({TICKER_SUB, "--connect", feed, "--count", std::to_string(wanted), "--quiet"});
    INFO(active.output());
    REQUIRE(active.wait_exit(60s) == 0);
    CHECK(active.wait_for(std::to_string(wanted) + " ticks received", 0ms));

    pub->signal(SIGINT);
    REQUIRE(pub->wait_exit(5s) == 0);
    const auto sent_line = pub->wait_for("] sent ", 0ms);  // the final line, not "N ticks sent"
    REQUIRE(sent_line);
    std::uint64_t sent = 0;
    std::sscanf(sent_line->c_str(), "%*s sent %lu", &sent);

    // What the stalled subscriber holds is a small fraction: the rest was dropped for it.
    std::uint64_t held = 0;
    while (common::recv(stalled, msg, {}, 0ms)) ++held;
    INFO("sent " << sent << ", stalled subscriber held " << held);
    CHECK(sent >= wanted);
    CHECK(held < sent / 4);
}

TEST_CASE("SIGINT stops every program with status 0 within a second", "[tcp]")
{
    support::private_dir dir;
    auto pub = start_pub(support::any_tcp);
    const auto feed = ready(*pub, "publishing on");
    process sub({TICKER_SUB, "--connect", feed});
    ready(sub, "following");
    process proxy({TICKER_PROXY, "--connect", feed, "--bind", support::any_tcp, "--control", support::any_tcp});
    ready(proxy, "control on");
    process demo({TICKER_DEMO, "--proxy"});
    REQUIRE(demo.wait_for("%"));  // a tick went all the way through
    REQUIRE(sub.wait_for("%"));  // a tick arrived

    for (auto* p : {pub.get(), &sub, &proxy, &demo}) {
        const auto start = std::chrono::steady_clock::now();
        p->signal(SIGINT);
        INFO(p->output());
        CHECK(p->wait_exit(5s) == 0);
        CHECK(std::chrono::steady_clock::now() - start < 1s);
    }
}

TEST_CASE("bad options give status 2 and say what is wrong", "[cli]")
{
    const std::vector<std::vector<std::string>> cases{
        {TICKER_PUB, "--no-such-option"},
        {TICKER_PUB, "--rate", "fast"},
        {TICKER_PUB, "--symbol", "WAY-TOO-LONG-SYMBOL"},
        {TICKER_PUB, "--transport", "inproc"},
        {TICKER_SUB, "--count", "-1"},
        {TICKER_SUB, "--transport", "carrier-pigeon"},
        {TICKER_PROXY, "--bind"},
        {TICKER_PROXY_CTL},
        {TICKER_DEMO, "--rate", "0"},
    };
    support::check_usage_errors(cases);
}

TEST_CASE("runtime errors give status 1 and a clear message", "[cli]")
{
    auto pub = start_pub(support::any_tcp);
    const auto feed = ready(*pub, "publishing on");
    const auto in_use = support::run({TICKER_PUB, "--bind", feed});
    CHECK(in_use.status == 1);
    CHECK_THAT(in_use.output, ContainsSubstring("cannot bind") && ContainsSubstring("in use"));

    const auto bad = support::run({TICKER_SUB, "--connect", "tcp://no-port-here"});
    CHECK(bad.status == 1);
    CHECK_THAT(bad.output, ContainsSubstring("cannot connect to 'tcp://no-port-here'"));

    const auto silent = support::run({TICKER_PROXY_CTL, "--connect", "tcp://127.0.0.1:1", "--timeout", "0.2", "STATISTICS"});
    CHECK(silent.status == 1);
    CHECK_THAT(silent.output, ContainsSubstring("no reply"));
}

TEST_CASE("every program answers --help", "[cli]")
{
    support::check_help({TICKER_PUB, TICKER_SUB, TICKER_PROXY, TICKER_PROXY_CTL, TICKER_DEMO});
}
