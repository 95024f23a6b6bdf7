// The moments the speaker notes promise, run for real as the presenter would
// run them (same programs, same options), on private ports: a moment that
// stops happening fails the suite. Each test names the slide it stands for.
#include "catch.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <memory>
#include <regex>

#include "endpoints.hpp"
#include "expected.hpp"
#include "process.hpp"
#include "ready.hpp"
#include "timing.hpp"

using namespace std::chrono_literals;
using support::process;

namespace {

// Readiness, with room for a loaded CI machine.
std::string wait_ready(process& p, std::string_view text) { return support::ready(p, text, 30s); }

// Waits for a line; a failure shows what the program printed until then.
bool saw(process& p, std::string_view text, std::chrono::milliseconds timeout = 30s)
{
    const auto line = p.wait_for(text, timeout);
    INFO(p.output());
    CHECK(line);
    return line.has_value();
}

// Lines that are ticks ("[sub-M] MSFT       414.44  ▼    -0.81   -0.20%").
std::size_t ticks_in(const process& p)
{
    static const std::regex tick(R"(^\[[^\]]+\] +[A-Z]+ +[0-9]+\.[0-9]{2} )");
    const auto& lines = p.lines();
    return std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return std::regex_search(l, tick); });
}

}  // namespace

// slides/sections/example-ticker.md, "Mute state: a slow subscriber".
TEST_CASE("ticker: the slow subscriber warns that it missed ticks, the other misses nothing", "[moments]")
{
    process pub({TICKER_PUB, "--bind", support::any_tcp, "--rate", "2000", "--sndhwm", "200"});
    const auto feed = wait_ready(pub, "publishing on");
    process slow({TICKER_SUB, "--connect", feed, "--slow", "2", "--rcvhwm", "100", "--name", "slow"});
    process fast({TICKER_SUB, "--connect", feed, "--symbol", "AAPL", "--name", "fast"});
    wait_ready(slow, "following");
    wait_ready(fast, "following");
    const auto start = std::chrono::steady_clock::now();
    // The notes promise the warning within seconds (measured: about 2 s on an
    // idle 2-core machine); the bound here only keeps a loaded CI honest.
    const auto warning = slow.wait_for("missed", 20s);
    INFO(slow.output());
    REQUIRE(warning);
    CHECK_THAT(*warning, Catch::Matchers::ContainsSubstring("the publisher dropped them"));
    WARN("first missed-ticks warning after "
         << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
         << " ms");
    fast.signal(SIGINT);
    slow.signal(SIGINT);
    REQUIRE(fast.wait_exit(5s) == 0);
    REQUIRE(slow.wait_exit(5s) == 0);
    INFO(fast.output());
    CHECK(fast.lines_with("missed").empty());
    CHECK(fast.wait_for("ticks received", 0ms));
}

namespace {

// The sequence number in a replica's line "AAPL 189.20 high ... ticks 12  seq 31".
std::uint64_t seq_in(const std::string& line) { return std::stoull(support::word_after(line, "seq ")); }

}  // namespace

// slides/sections/example-query.md, "The replica: snapshot, then updates": the
// demo's topology and options (scripts/demo query), its publisher restarted
// with --rate 200 as the notes say, the follow-AAPL replica stopped for ten
// seconds (pkill -STOP), then let go on (pkill -CONT).
TEST_CASE("query: a replica stopped for a while sees the gap and re-syncs as soon as it goes on", "[moments]")
{
    process pub({TICKER_PUB, "--bind", support::any_tcp, "--rate", "200"});
    const auto feed = wait_ready(pub, "publishing on");
    process server({QUERY_SERVER, "--feed", feed, "--bind", support::any_tcp, "--publish", support::any_tcp, "--sndhwm", "10", "--sndbuf", "4096"});
    const auto queries = wait_ready(server, "answering queries on");
    const auto updates = wait_ready(server, "publishing updates on");
    const std::vector<std::string> to{"--connect", queries, "--updates", updates, "--follow", "AAPL"};
    auto args = [&](std::vector<std::string> more) {
        std::vector<std::string> all{QUERY_CLIENT};
        all.insert(all.end(), to.begin(), to.end());
        all.insert(all.end(), more.begin(), more.end());
        return all;
    };
    process replica(args({"--name", "follow-AAPL", "--rcvhwm", "1", "--rcvbuf", "4096"}));
    process witness(args({"--name", "witness"}));  // reads at once: the feed's progress
    // Its first line is the snapshot ("(snapshot)", or "(no ticks yet)": seq 0).
    const auto snapshot = replica.wait_for("seq ", 30s);
    INFO(replica.output());
    REQUIRE(snapshot);
    // An update applied after the snapshot ("... seq N+1"; the first line
    // with that text is it, or a later one: the numbers only grow).
    const auto next = std::to_string(seq_in(*snapshot) + 1);
    const auto applied = replica.wait_for("seq " + next, 30s);
    REQUIRE(applied);

    // The witness too is under way. (A client may re-sync once as it starts: an
    // update published while its subscription was still on its way is a gap.)
    const auto witness_snapshot = witness.wait_for("seq ", 30s);
    REQUIRE(witness_snapshot);
    REQUIRE(witness.wait_for("seq " + std::to_string(seq_in(*witness_snapshot) + 2), 30s));
    const auto witness_resyncs = witness.lines_with("re-syncing").size();
    const auto replica_resyncs = replica.lines_with("re-syncing").size();

    replica.signal(SIGSTOP);
    // What the notes say to wait: ten seconds, about 250 updates of AAPL at 200
    // ticks/s over 8 symbols; here until the witness has seen them. About 155
    // fit in the queues (10 at the XPUB, 1 at the SUB, the rest in libzmq's
    // and the kernel's buffers of 4 KB each way): the rest are dropped.
    const auto later = std::to_string(seq_in(*applied) + 250);
    INFO(witness.output());
    REQUIRE(witness.wait_for("seq " + later, 60s));
    replica.signal(SIGCONT);
    // The new warning (not one from its start): within 5 s.
    const auto deadline = std::chrono::steady_clock::now() + 5s * support::sanitizer_slowdown;
    while (replica.lines_with("re-syncing").size() == replica_resyncs && std::chrono::steady_clock::now() < deadline)
        replica.wait_for("\n", 100ms);
    INFO(replica.output());
    const auto resyncs = replica.lines_with("re-syncing");
    REQUIRE(resyncs.size() > replica_resyncs);
    CHECK_THAT(resyncs.back(), Catch::Matchers::ContainsSubstring("AAPL: expected update "));
    // ...and takes a new snapshot at once: a "(snapshot)" line after the warning.
    auto snapshot_after_warning = [&] {
        const auto& lines = replica.lines();
        auto warning = std::find_if(lines.rbegin(), lines.rend(), [](const std::string& l) { return l.find("re-syncing") != std::string::npos; });
        return std::any_of(lines.rbegin(), warning, [](const std::string& l) { return l.find("(snapshot)") != std::string::npos; });
    };
    for (int i = 0; i < 100 && !snapshot_after_warning(); ++i) replica.wait_for("\n", 100ms);
    CHECK(snapshot_after_warning());
    for (auto* p : {&replica, &witness, &server, &pub}) {
        p->signal(SIGINT);
        CHECK(p->wait_exit(5s) == 0);
    }
    CHECK(witness.lines_with("re-syncing").size() == witness_resyncs);  // a reader that keeps up loses nothing
}

// slides/sections/example-chat.md, "Presence: heartbeats and expiry": the
// demo's server and bots (scripts/demo chat), bob stopped (pkill -STOP -f
// 'name bob'): everyone sees him expire after the server's 10 s; let go on
// (pkill -CONT), he notices and joins again by himself.
TEST_CASE("chat: a stopped bot expires for everyone, and joins again by itself when it goes on", "[moments]")
{
    process server({CHAT_SERVER, "--bind", support::any_tcp, "--publish", support::any_tcp});
    const auto commands = wait_ready(server, "commands on");
    const auto broadcasts = wait_ready(server, "broadcasts on");
    auto bot = [&](const std::string& name) {
        return std::make_unique<process>(std::vector<std::string>{
            CHAT_CLIENT, "--connect", commands, "--subscribe", broadcasts, "--name", name, "--bot"});
    };
    auto alice = bot("alice");
    REQUIRE(alice->wait_for("joined as alice", 30s));
    auto bob = bot("bob");
    REQUIRE(bob->wait_for("joined as bob", 30s));
    INFO(alice->output());
    REQUIRE(alice->wait_for("* bob joined", 30s));

    bob->signal(SIGSTOP);
    const auto stopped = std::chrono::steady_clock::now();
    REQUIRE(alice->wait_for("* bob expired", 30s));
    WARN("bob expired for alice "
         << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopped).count()
         << " ms after he stopped (the server's --expiry: 10 s)");
    bob->signal(SIGCONT);
    INFO(bob->output());
    REQUIRE(bob->wait_for("joined again as bob", 30s));
    for (int i = 0; i < 100 && alice->lines_with("* bob joined").size() < 2; ++i) alice->wait_for("\n", 100ms);
    CHECK(alice->lines_with("* bob joined").size() == 2);
    for (auto* p : {bob.get(), alice.get(), &server}) {
        p->signal(SIGINT);
        CHECK(p->wait_exit(5s) == 0);
    }
}

namespace {

// Reads what the programs print for a while: an observation window, not a
// synchronisation.
void watch(std::initializer_list<process*> programs, std::chrono::milliseconds window)
{
    const auto end = std::chrono::steady_clock::now() + window;
    while (std::chrono::steady_clock::now() < end)
        for (auto* p : programs) p->wait_for("\n", 20ms);
}

}  // namespace

// slides/sections/example-ticker.md, "Through a proxy": the demo's topology
// (scripts/demo ticker-proxy), then, from a spare terminal, ticker-proxy-ctl
// PAUSE (the subscribers go quiet), RESUME (the ticks come back) and STATISTICS.
TEST_CASE("ticker-proxy: PAUSE quiets the subscribers, RESUME brings the ticks back", "[moments]")
{
    process pub({TICKER_PUB, "--bind", support::any_tcp, "--name", "pub"});
    const auto feed = wait_ready(pub, "publishing on");
    process proxy({TICKER_PROXY, "--connect", feed, "--bind", support::any_tcp, "--control", support::any_tcp, "--name", "proxy"});
    const auto backend = wait_ready(proxy, "subscribers connect to");
    const auto control = wait_ready(proxy, "control on");
    process apple({TICKER_SUB, "--connect", backend, "--name", "sub-AAPL", "--symbol", "AAPL"});
    process m_stocks({TICKER_SUB, "--connect", backend, "--name", "sub-M", "--symbol", "M"});
    // What the notes point at first: the subscriptions travel upstream.
    REQUIRE(saw(proxy, "subscribe 'AAPL' travels upstream"));
    REQUIRE(saw(proxy, "subscribe 'M' travels upstream"));
    REQUIRE(saw(m_stocks, "MSFT "));
    auto ctl = [&](const std::string& command) {
        const auto r = support::run({TICKER_PROXY_CTL, "--connect", control, command});
        INFO(command << ": " << r.output);
        REQUIRE(r.status == 0);
        return r.output;
    };
    // The demo's publisher sends 10 ticks/s in all, each for a symbol picked
    // at random: a subscriber to every symbol (the test's own) prints about
    // 20 in 2 s, while sub-M may go a few seconds without one.
    process follower({TICKER_SUB, "--connect", backend, "--name", "follower"});
    REQUIRE(saw(follower, "MSFT "));
    const auto window = 2s;
    const auto before = ticks_in(follower);
    watch({&apple, &m_stocks, &follower}, window);
    INFO(follower.output());
    REQUIRE(ticks_in(follower) >= before + 5);

    CHECK_THAT(ctl("PAUSE"), Catch::Matchers::ContainsSubstring("OK"));
    // Ticks already past the proxy still arrive: give them a moment (they are
    // on the loopback, a few milliseconds), then nothing more for a window.
    watch({&apple, &m_stocks, &follower}, 200ms);
    const auto paused = std::array{ticks_in(apple), ticks_in(m_stocks), ticks_in(follower)};
    watch({&apple, &m_stocks, &follower}, window);
    CHECK(ticks_in(apple) == paused[0]);
    CHECK(ticks_in(m_stocks) == paused[1]);
    CHECK(ticks_in(follower) == paused[2]);

    CHECK_THAT(ctl("RESUME"), Catch::Matchers::ContainsSubstring("OK"));
    const auto deadline = std::chrono::steady_clock::now() + 10s * support::sanitizer_slowdown;
    while (ticks_in(follower) == paused[2] && std::chrono::steady_clock::now() < deadline) follower.wait_for("\n", 100ms);
    CHECK(ticks_in(follower) > paused[2]);
    CHECK_THAT(ctl("STATISTICS"), Catch::Matchers::ContainsSubstring("OK frontend in"));
    for (auto* p : {&follower, &apple, &m_stocks, &proxy, &pub}) {
        p->signal(SIGINT);
        CHECK(p->wait_exit(5s) == 0);
    }
    CHECK(apple.lines_with("W:").empty());
    CHECK(m_stocks.lines_with("W:").empty());
}

namespace {

// The workflow demo's topology and batch (scripts/demo workflow: a worker per
// core, at most 4; two here, as on a 2-core laptop): 200 tasks of 1,000,000
// paths, about 3.5 s with two workers; fewer paths under sanitizers, which
// run it 10 times slower.
struct demo_batch {
    static constexpr std::uint32_t batch = 200;
    const std::uint32_t paths = support::under_sanitizer ? 200'000 : 1'000'000;
    process ventilator{{WORKFLOW_VENTILATOR, "--tasks", support::any_tcp, "--feedback", support::any_tcp,
                        "--control", support::any_tcp, "--workers", "2", "--paths", std::to_string(paths),
                        "--name", "ventilator"}};
    const std::string tasks = wait_ready(ventilator, "tasks on");
    const std::string feedback = wait_ready(ventilator, "feedback on");
    const std::string control = wait_ready(ventilator, "control on");
    process sink{{WORKFLOW_SINK, "--results", support::any_tcp, "--feedback", feedback, "--control", control,
                  "--name", "sink"}};
    const std::string results = wait_ready(sink, "results on");

    std::unique_ptr<process> worker(const std::string& name) const
    {
        return std::make_unique<process>(std::vector<std::string>{
            WORKFLOW_WORKER, "--tasks", tasks, "--results", results, "--control", control, "--name", name});
    }
    // The ventilator and the sink end by themselves, status 0; the sink's
    // total is the one the test computes.
    void finish()
    {
        const auto ventilator_status = ventilator.wait_exit(120s);
        INFO(ventilator.output());
        REQUIRE(ventilator_status == 0);
        const auto sink_status = sink.wait_exit(10s);
        INFO(sink.output());
        REQUIRE(sink_status == 0);
        const auto value = sink.wait_for("portfolio value ", 0ms);
        REQUIRE(value);
        CHECK(support::word_after(*value, "portfolio value ") == workflow_test::expected_value(batch, paths));
    }
};

}  // namespace

// slides/sections/example-workflow.md, "Things to do live": the demo's batch,
// a worker started late from a spare terminal (workflow-worker --name late),
// then Ctrl-C in one worker's pane mid-batch: the ventilator says it sends
// that worker's tasks again, the total is the same.
TEST_CASE("workflow: a late worker joins mid-batch, a worker stopped mid-batch loses nothing", "[moments]")
{
    demo_batch demo;
    auto first = demo.worker("worker-1");
    auto second = demo.worker("worker-2");
    REQUIRE(saw(demo.sink, "first result in"));
    auto late = demo.worker("late");
    REQUIRE(saw(demo.ventilator, "late joined mid-batch"));
    first->signal(SIGINT);  // Ctrl-C in its pane
    REQUIRE(first->wait_exit(5s) == 0);
    // What the notes promise: "N tasks with no result after 2.0 s, sending again".
    REQUIRE(saw(demo.ventilator, "sending again", 60s));
    CHECK_THAT(*demo.ventilator.wait_for("sending again", 0ms),
               Catch::Matchers::ContainsSubstring("with no result after 2.0 s"));
    demo.finish();
    for (auto* w : {second.get(), late.get()}) {
        const auto status = w->wait_exit(10s);
        INFO(w->output());
        CHECK(status == 0);
        CHECK(w->wait_for("leaving (the batch is complete)", 0ms));
    }
}

// slides/sections/example-desk.md, "Demo: scripts/demo desk": the desk
// against ticker-pub, chat-server and the bot alice as processes (scripts/demo
// desk --transport tcp --tmux), the page's event stream read as a browser
// reads it; then Ctrl-C in the chat-server's pane (a notice on the page),
// Up+Enter (the same command again: the desk joins again by itself), and
// Ctrl-C the desk (gone at once, status 0).
TEST_CASE("desk: the chat-server restarted under the desk, the page says so and the desk joins again", "[moments]")
{
    process pub({TICKER_PUB, "--bind", support::any_tcp, "--name", "ticker-pub"});
    const auto feed = wait_ready(pub, "publishing on");
    auto server = std::make_unique<process>(
        std::vector<std::string>{CHAT_SERVER, "--bind", support::any_tcp, "--publish", support::any_tcp, "--name", "chat-server"});
    const auto commands = wait_ready(*server, "commands on");
    const auto broadcasts = wait_ready(*server, "broadcasts on");
    // Up+Enter runs the same command again: the same ports.
    const std::vector<std::string> again{CHAT_SERVER, "--bind", commands, "--publish", broadcasts, "--name", "chat-server"};
    process alice({CHAT_CLIENT, "--connect", commands, "--subscribe", broadcasts, "--name", "alice", "--bot", "--bot-interval", "5"});
    process desk({DESK, "--http", "127.0.0.1:0", "--ticker", feed, "--chat", commands, "--chat-broadcast", broadcasts,
                  "--paths", "2000"});
    const auto line = desk.wait_for("dashboard on http://", 30s);
    INFO(desk.output());
    REQUIRE(line);
    const auto url = line->substr(line->find("http://"));
    process page({"/usr/bin/curl", "-sN", url + "events"});
    REQUIRE(saw(page, R"("kind":"tick")"));
    REQUIRE(saw(desk, "chat -- joined as desk"));

    server->signal(SIGINT);
    REQUIRE(server->wait_exit(5s) == 0);
    // The desk's chat client hears nothing for its 3 s timeout, and says so.
    CHECK(saw(page, R"({"kind":"notice","text":"no reply from the server for )"));
    server = std::make_unique<process>(again);  // Up+Enter
    wait_ready(*server, "broadcasts on");
    CHECK(saw(page, R"({"kind":"notice","text":"the server is back: joined again as desk"})"));
    // And the chat works again: a line said on the page comes back from the server.
    const auto origin = "Origin: " + url.substr(0, url.size() - 1);
    const auto said = support::run({"/usr/bin/curl", "-s", "-XPOST", "-H", origin, "--data", "back again", url + "chat"});
    CHECK(said.output.starts_with(R"({"ok":true})"));
    CHECK(saw(page, R"("handle":"desk","text":"back again")"));

    const auto stopping = std::chrono::steady_clock::now();
    desk.signal(SIGINT);
    CHECK(desk.wait_exit(5s) == 0);
    WARN("the desk ended " << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopping).count()
                           << " ms after Ctrl-C (the notes say about 0.3 s)");
    CHECK(page.wait_exit(5s).has_value());
    for (auto* p : {&alice, server.get(), &pub}) {
        p->signal(SIGINT);
        CHECK(p->wait_exit(5s) == 0);
    }
}

// slides/sections/example-ticker.md, "Demo: scripts/demo ticker --tmux":
// Ctrl-C in the publisher's pane, Up+Enter (the same command again): the
// subscribers reconnect by themselves and say "the publisher restarted".
TEST_CASE("ticker: the publisher restarted, the subscribers carry on and say so", "[moments]")
{
    auto pub = std::make_unique<process>(std::vector<std::string>{TICKER_PUB, "--bind", support::any_tcp, "--name", "pub"});
    const auto feed = wait_ready(*pub, "publishing on");
    process apple({TICKER_SUB, "--connect", feed, "--name", "sub-AAPL", "--symbol", "AAPL"});
    process m_stocks({TICKER_SUB, "--connect", feed, "--name", "sub-M", "--symbol", "M"});
    // A restart shows as a symbol's sequence number going back. The presenter
    // restarts a publisher that has run for minutes; here it runs until each
    // has seen 10 ticks (sub-AAPL: about 8 s), so that the new publisher, which
    // starts again at 1, is still below that when the subscribers reconnect.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while ((ticks_in(apple) < 10 || ticks_in(m_stocks) < 10) && std::chrono::steady_clock::now() < deadline)
        for (auto* sub : {&apple, &m_stocks}) sub->wait_for("\n", 50ms);
    INFO(apple.output());
    REQUIRE(ticks_in(apple) >= 10);
    REQUIRE(ticks_in(m_stocks) >= 10);
    pub->signal(SIGINT);
    REQUIRE(pub->wait_exit(5s) == 0);
    pub = std::make_unique<process>(std::vector<std::string>{TICKER_PUB, "--bind", feed, "--name", "pub"});
    wait_ready(*pub, "publishing on");
    for (auto* sub : {&apple, &m_stocks}) CHECK(saw(*sub, "the publisher restarted"));
    const auto ticks = ticks_in(m_stocks);
    const auto later = std::chrono::steady_clock::now() + 30s;
    while (ticks_in(m_stocks) == ticks && std::chrono::steady_clock::now() < later) m_stocks.wait_for("\n", 100ms);
    CHECK(ticks_in(m_stocks) > ticks);  // and the prices tick on
    for (auto* p : {&apple, &m_stocks, pub.get()}) {
        p->signal(SIGINT);
        CHECK(p->wait_exit(5s) == 0);
    }
}

// slides/sections/example-workflow.md, "Kill a worker" notes: Ctrl-Z in the
// sink's pane, fg a few seconds later: with no DONE the ventilator sends the
// tasks in flight again; the sink, back, ignores the duplicates; same total.
TEST_CASE("workflow: the sink stopped mid-batch and let go on, duplicates ignored, same total", "[moments]")
{
    demo_batch demo;
    auto first = demo.worker("worker-1");
    auto second = demo.worker("worker-2");
    REQUIRE(saw(demo.sink, "first result in"));
    // Ctrl-Z stops the sink (SIGTSTP, whose default is to stop; SIGSTOP here,
    // because the kernel drops SIGTSTP for a process group with no terminal
    // session around it, as under CI).
    demo.sink.signal(SIGSTOP);
    REQUIRE(saw(demo.ventilator, "sending again", 60s));
    demo.sink.signal(SIGCONT);  // fg
    demo.finish();
    for (auto* w : {first.get(), second.get()}) CHECK(w->wait_exit(10s) == 0);
    const auto complete = demo.sink.wait_for("batch complete: ", 0ms);
    REQUIRE(complete);
    CHECK(complete->find(" 0 duplicates ignored") == std::string::npos);
}
