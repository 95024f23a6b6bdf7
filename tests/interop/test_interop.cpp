// The Python (pyzmq) and Java (JeroMQ) peers of examples/*/python and
// examples/*/java against the real C++ programs, each a process. A test whose
// language is missing prints "INTEROP-SKIPPED: why" (ctest shows it Skipped);
// without Java, the Python half runs alone and says so.
// JeroMQ 0.3.6 has no ipc (its "ipc" is tcp on loopback) and no PLAIN/CURVE,
// so the Java peers run over tcp and with NULL only.
#include "catch.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>
#include <zmq_addon.hpp>

#include "common/codec.hpp"
#include "endpoints.hpp"
#include "process.hpp"

using support::process;
using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;

namespace {

constexpr auto jvm_wait = 90s;  // a JVM's start on a loaded 2-core machine

const std::string python = "/usr/bin/python3";
std::string peer(const std::string& example, const std::string& file)
{
    return std::string(BB_SOURCE_DIR) + "/examples/" + example + "/python/" + file;
}
std::vector<std::string> java(const std::string& main_class)
{
    return {BB_JAVA, "-cp", std::string(BB_JEROMQ_JAR) + ":" + BB_JAVA_CLASSES, main_class};
}
std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bool have_python()
{
    static const bool ok = support::run({python, "-c", "import zmq"}, 30s).status == 0;
    if (!ok) std::cout << "INTEROP-SKIPPED: python3-zmq is not installed for /usr/bin/python3 (scripts/test installs it)\n";
    return ok;
}
bool have_java()
{
    static const bool ok = std::string(BB_JAVA).size() > 0 && std::filesystem::exists(BB_JEROMQ_JAR) &&
                           std::filesystem::exists(std::string(BB_JAVA_CLASSES) + "/ChatClient.class");
    // Not a skip: the Python half still runs and counts.
    if (!ok) std::cout << "note: the Java peers are not run: a JDK or libjeromq-java is missing (scripts/test installs them)\n";
    return ok;
}

std::string ready(process& p, std::string_view text, std::chrono::milliseconds timeout = 30s)
{
    const auto line = p.wait_for(text, timeout);
    INFO("waiting for '" << text << "' in:\n" << p.output());
    REQUIRE(line);
    return *line;
}
void exits_0(process& p, std::chrono::milliseconds timeout = 60s)
{
    const auto status = p.wait_exit(timeout);
    INFO(p.output());
    REQUIRE(status == 0);
}

}  // namespace

TEST_CASE("interop: Python and Java subscribers decode every tick of C++ ticker-pub, over tcp and ipc", "[interop]")
{
    if (!have_python()) return;
    support::private_dir dir;
    for (const std::string transport : {"tcp", "ipc"}) {
        SECTION(transport)
        {
            process pub({TICKER_PUB, "--bind", support::fresh_endpoint(transport, dir, "ticker"), "--rate", "200"});
            const auto feed = support::endpoint_in(ready(pub, "publishing on"));
            process py({python, peer("ticker", "ticker_sub.py"), "--connect", feed, "--count", "40", "--symbol", "A"});
            exits_0(py);
            CHECK(py.lines_with("seq=").size() == 40);
            CHECK(py.lines_with("W:").empty());
            CHECK(py.lines_with("AAPL").size() + py.lines_with("AMZN").size() == 40);  // prefix A
            if (transport == "tcp" && have_java()) {  // JeroMQ has no ipc
                process jv(java("TickerSub") + std::vector<std::string>{"--connect", feed, "--count", "40"});
                exits_0(jv, jvm_wait);
                CHECK(jv.lines_with("seq=").size() == 40);
                CHECK(jv.lines_with("W:").empty());
            }
        }
    }
}

TEST_CASE("interop: the Python subscriber reports malformed ticks, goes on, and leaves with 0 on SIGINT", "[interop]")
{
    if (!have_python()) return;
    zmq::context_t ctx;
    zmq::socket_t pub(ctx, zmq::socket_type::pub);
    pub.bind(support::any_tcp);
    process py({python, peer("ticker", "ticker_sub.py"), "--connect", pub.get(zmq::sockopt::last_endpoint)});
    ready(py, "following");
    const std::string good_quote = common::frame_writer(56).put<std::uint64_t>(1).put<std::int64_t>(0).put(1.0).put(1.0)
                                       .put(1.0).put(1.0).put<std::uint64_t>(1).done().to_string();
    const std::string nan_quote = common::frame_writer(56).put<std::uint64_t>(2).put<std::int64_t>(0).put(std::nan(""))
                                      .put(1.0).put(1.0).put(1.0).put<std::uint64_t>(1).done().to_string();
    const std::vector<std::vector<std::string>> bad{
        {"AAPL", good_quote, "extra"}, {"AAPL", "short"}, {"\xff\xfe", good_quote}, {"AAPL", nan_quote},
        {std::string(17, 'A'), good_quote}};
    for (int round = 0; round < 300 && !py.wait_for("not a finite number", 50ms); ++round)  // until it is connected
        for (const auto& frames : bad) {
            std::vector<zmq::message_t> msg;
            for (const auto& f : frames) msg.emplace_back(f.data(), f.size());
            zmq::send_multipart(pub, msg);
        }
    std::vector<zmq::message_t> tick;
    tick.emplace_back(std::string("AAPL"));
    tick.emplace_back(good_quote.data(), good_quote.size());
    zmq::send_multipart(pub, tick);
    ready(py, "AAPL");
    for (const char* why : {"3 frames", "a quote of 5 bytes", "utf-8", "not a finite number", "over-long"})
        CHECK_THAT(py.output(), ContainsSubstring(why));
    py.signal(SIGINT);
    exits_0(py, 5s);
}

TEST_CASE("interop: the Python publisher's ticks are accepted by C++ ticker-sub, directly and through ticker-proxy", "[interop]")
{
    if (!have_python()) return;
    support::private_dir dir;
    for (const std::string transport : {"tcp", "ipc"}) {
        SECTION(transport)
        {
            process pub({python, peer("ticker", "ticker_pub.py"), "--bind", support::fresh_endpoint(transport, dir, "py"),
                         "--rate", "200", "--symbol", "AAPL", "--symbol", "ACME"});
            const auto feed = support::endpoint_in(ready(pub, "publishing on"));
            process sub({TICKER_SUB, "--connect", feed, "--count", "30", "--symbol", "AC"});
            exits_0(sub);
            CHECK(sub.lines_with("ACME").size() == 30);
            CHECK_THAT(sub.output(), !ContainsSubstring("W:"));

            process proxy({TICKER_PROXY, "--connect", feed, "--bind", support::fresh_endpoint(transport, dir, "proxy"),
                           "--control", support::fresh_endpoint(transport, dir, "control")});
            const auto backend = support::endpoint_in(ready(proxy, "subscribers connect to"));
            process via({TICKER_SUB, "--connect", backend, "--count", "30"});
            exits_0(via);
            CHECK_THAT(via.output(), !ContainsSubstring("W:"));
            CHECK(via.lines_with("AAPL").size() + via.lines_with("ACME").size() == 30);
            pub.signal(SIGINT);
            exits_0(pub, 5s);
        }
    }
}

namespace {

// A chat client of any language, with its stdin a pipe.
std::unique_ptr<process> chat_client(std::vector<std::string> argv, const std::string& commands, const std::string& broadcasts,
                                     const std::string& handle, std::vector<std::string> extra = {})
{
    argv = argv + std::vector<std::string>{"--connect", commands, "--subscribe", broadcasts, "--handle", handle} + extra;
    return std::make_unique<process>(argv, support::piped_stdin);
}

struct chat_server {
    std::unique_ptr<process> proc;
    std::string commands, broadcasts;
};
chat_server start_chat_server(const std::string& transport, const support::private_dir& dir, std::vector<std::string> extra = {})
{
    chat_server s;
    s.proc = std::make_unique<process>(std::vector<std::string>{CHAT_SERVER, "--bind", support::fresh_endpoint(transport, dir, "cmd"),
                                                                "--publish", support::fresh_endpoint(transport, dir, "pub")} + extra);
    s.commands = support::endpoint_in(ready(*s.proc, "commands on"));
    s.broadcasts = support::endpoint_in(ready(*s.proc, "broadcasts on"));
    return s;
}

}  // namespace

TEST_CASE("interop: C++, Python and Java chat clients see each other's messages, presence and WHO", "[interop]")
{
    if (!have_python()) return;
    const bool with_java = have_java();
    support::private_dir dir;
    for (const std::string transport : {"tcp", "ipc"}) {
        SECTION(transport)
        {
            auto s = start_chat_server(transport, dir);
            auto cpp = chat_client({CHAT_CLIENT, "--name", "cpp"}, s.commands, s.broadcasts, "cpp");
            ready(*cpp, "joined as cpp");
            auto py = chat_client({python, peer("chat", "chat_client.py")}, s.commands, s.broadcasts, "py");
            ready(*py, "joined as py");
            ready(*cpp, "* py joined");
            std::vector<process*> everyone{cpp.get(), py.get()};
            std::string who = "present: cpp, py";
            std::unique_ptr<process> jv;
            if (with_java && transport == "tcp") {  // JeroMQ has no ipc
                jv = chat_client(java("ChatClient"), s.commands, s.broadcasts, "jv");
                ready(*jv, "joined as jv", jvm_wait);
                ready(*cpp, "* jv joined");
                ready(*py, "* jv joined");
                everyone.push_back(jv.get());
                who = "present: cpp, jv, py";
            }
            const std::vector<std::string> handles{"cpp", "py", "jv"};
            for (std::size_t i = 0; i < everyone.size(); ++i) everyone[i]->write_line("hello from " + handles[i]);
            for (std::size_t i = 0; i < everyone.size(); ++i)
                for (std::size_t j = 0; j < everyone.size(); ++j)
                    ready(*everyone[j], "<" + handles[i] + "> hello from " + handles[i]);
            for (auto* p : everyone) {
                p->write_line("/who");
                ready(*p, who);
            }
            py->write_line("/quit");
            exits_0(*py, 10s);
            ready(*cpp, "* py left");
            if (jv) {
                ready(*jv, "* py left");
                jv->signal(SIGINT);  // Ctrl-C: status 0
                exits_0(*jv, 10s);
            }
            for (auto* p : everyone) CHECK(p->lines_with("W:").empty());
        }
    }
}

TEST_CASE("interop: the Python chat client joins with PLAIN and with CURVE key files from chat-keygen", "[interop]")
{
    if (!have_python()) return;
    support::private_dir dir;
    SECTION("PLAIN")
    {
        const auto passwords = (dir.path() / "passwords").string();
        std::ofstream(passwords) << "alice:wonderland\n";
        auto s = start_chat_server("tcp", dir, {"--passwords", passwords});
        auto py = chat_client({python, peer("chat", "chat_client.py")}, s.commands, s.broadcasts, "alice",
                              {"--plain", "alice:wonderland"});
        ready(*py, "joined as alice");
        ready(*s.proc, "authenticated as 'alice'");
        auto wrong = chat_client({python, peer("chat", "chat_client.py")}, s.commands, s.broadcasts, "mallory",
                                 {"--plain", "alice:guess"});
        ready(*s.proc, "wrong user or password");
        ready(*wrong, "still waiting for the server");
    }
    SECTION("CURVE")
    {
        const auto keys = dir.path() / "keys", allowed = dir.path() / "allowed";
        for (const char* who : {"server", "alice", "bob"})
            REQUIRE(support::run({CHAT_KEYGEN, who, "--dir", keys.string()}).status == 0);
        std::filesystem::create_directories(allowed);
        for (const char* who : {"alice.pub", "bob.pub"}) std::filesystem::copy_file(keys / who, allowed / who);
        auto s = start_chat_server("tcp", dir, {"--curve", (keys / "server.key").string(), "--allow", allowed.string()});
        auto py = chat_client({python, peer("chat", "chat_client.py")}, s.commands, s.broadcasts, "alice",
                              {"--curve", (keys / "server.pub").string(), "--key", (keys / "alice.key").string()});
        ready(*py, "joined as alice");
        auto cpp = chat_client({CHAT_CLIENT}, s.commands, s.broadcasts, "bob",
                               {"--curve", (keys / "server.pub").string(), "--key", (keys / "bob.key").string()});
        ready(*py, "* bob joined");
        cpp->write_line("hello alice");
        ready(*py, "<bob> hello alice");
        py->write_line("hello bob");
        ready(*cpp, "<alice> hello bob");
        ready(*s.proc, "authenticated as 'alice'");
    }
}

namespace {

std::string hex(const zmq::message_t& frame)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < frame.size(); ++i) {
        const auto b = static_cast<const unsigned char*>(frame.data())[i];
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

// The server's SNAPSHOT state frame, in hex.
std::string server_state(const std::string& endpoint, const std::string& symbol)
{
    zmq::context_t ctx;
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::linger, 0);
    req.connect(endpoint);
    req.send(zmq::buffer("SNAPSHOT " + symbol));
    std::vector<zmq::message_t> reply;
    zmq::pollitem_t item{req.handle(), 0, ZMQ_POLLIN, 0};
    REQUIRE(zmq::poll(&item, 1, 10s) == 1);
    REQUIRE(zmq::recv_multipart(req, std::back_inserter(reply)));
    REQUIRE(reply.size() == 4);
    return hex(reply[3]);
}

// The state the replica printed last, in hex.
std::string replica_state(const process& replica)
{
    const auto lines = replica.lines_with(" state=");
    REQUIRE(!lines.empty());
    return lines.back().substr(lines.back().find(" state=") + 7);
}

}  // namespace

TEST_CASE("interop: the Python replica equals the server's SNAPSHOT after updates and after a feed restart", "[interop]")
{
    if (!have_python()) return;
    support::private_dir dir;
    const auto feed_args = [&](const std::string& ep, const char* count, const char* seed) {
        return std::vector<std::string>{python, peer("ticker", "ticker_pub.py"), "--bind", ep, "--rate", "100", "--count", count,
                                        "--symbol", "AAPL", "--symbol", "MSFT", "--seed", seed, "--wait-subscribers", "1"};
    };
    // The server's sockets (the Python client's side) over tcp and ipc; the feed over ipc.
    for (const std::string transport : {"tcp", "ipc"}) {
        SECTION(transport)
        {
            // The feed starts once the server and the replica are there (it waits for the server's
            // subscription), so the replica has every update from the first (or a gap it heals).
            const auto feed_ep = dir.ipc("feed-" + transport);
            process server({QUERY_SERVER, "--feed", feed_ep, "--bind", support::fresh_endpoint(transport, dir, "q"),
                            "--publish", support::fresh_endpoint(transport, dir, "u")});
            const auto queries = support::endpoint_in(ready(server, "answering queries on"));
            const auto updates = support::endpoint_in(ready(server, "publishing updates on"));
            process replica({python, peer("query", "query_client.py"), "--follow", "AAPL", "--connect", queries, "--updates", updates});
            ready(replica, "snapshot: no ticks yet");
            process feed(feed_args(feed_ep, "60", "1"));
            exits_0(feed);  // 60 ticks, 30 of AAPL
            ready(replica, "AAPL seq=30 ");
            CHECK(replica_state(replica) == server_state(queries, "AAPL"));

            // Every query kind, from Python.
            const auto ask = [&](const std::string& query) { return support::run({python, peer("query", "query_client.py"), "--connect",
                                                                                   queries, query}); };
            for (const auto& [query, expect] : std::vector<std::pair<std::string, std::string>>{
                     {"LAST AAPL", "AAPL last="}, {"STATS AAPL 5", "ticks=5"}, {"HISTORY AAPL 3", "seq=30"},
                     {"TOP 2 GAINERS", "\n2 "}, {"SYMBOLS", "MSFT ticks=30"}, {"SNAPSHOT AAPL", "state="}, {"HELP", "WATCH sym"}}) {
                const auto r = ask(query);
                INFO(query << ":\n" << r.output);
                CHECK(r.status == 0);
                CHECK_THAT(r.output, ContainsSubstring(expect));
            }
            const auto nope = ask("LAST NOPE");
            CHECK(nope.status == 1);
            CHECK_THAT(nope.output, ContainsSubstring("no ticks for symbol 'NOPE'"));
            const auto bad = ask("TOP 3 WINNERS");
            CHECK(bad.status == 1);
            CHECK_THAT(bad.output, ContainsSubstring("column 7"));
            process watch({python, peer("query", "query_client.py"), "--connect", queries, "--updates", updates, "--watch", "AAPL > 1"});
            ready(watch, "watching AAPL > 1");

            // The feed restarts: sequence numbers begin at 1 again; the replica re-syncs.
            process again(feed_args(feed_ep, "100", "7"));
            exits_0(again);
            ready(replica, "re-syncing");
            ready(replica, "AAPL seq=50 ");
            CHECK(replica_state(replica) == server_state(queries, "AAPL"));
            ready(watch, "AAPL > 1: AAPL");
            watch.signal(SIGINT);
            exits_0(watch, 5s);
            replica.signal(SIGTERM);
            exits_0(replica, 5s);
        }
    }
}

TEST_CASE("interop: the Python query client gives up after 3 attempts when no server answers", "[interop]")
{
    if (!have_python()) return;
    support::private_dir dir;
    const auto r = support::run({python, peer("query", "query_client.py"), "--connect", dir.ipc("nobody"), "LAST AAPL"}, 30s);
    CHECK(r.status == 1);
    CHECK_THAT(r.output, ContainsSubstring("after 3 attempts"));
}

namespace {

struct batch_result {
    std::string total, by_worker;
};

// One batch: a ventilator, a C++ sink (or the Python one), and the workers given.
batch_result run_batch(const std::string& transport, const support::private_dir& dir, bool python_sink,
                       const std::vector<std::vector<std::string>>& workers)
{
    process vent({WORKFLOW_VENTILATOR, "--tasks", support::fresh_endpoint(transport, dir, "tasks"), "--feedback",
                  support::fresh_endpoint(transport, dir, "feedback"), "--control", support::fresh_endpoint(transport, dir, "control"),
                  "--workers", std::to_string(workers.size()), "--join-wait", "120", "--batch", "60", "--paths", "2000"});
    const auto tasks = support::endpoint_in(ready(vent, "tasks on"));
    const auto feedback = support::endpoint_in(ready(vent, "feedback on"));
    const auto control = support::endpoint_in(ready(vent, "control on"));
    const std::vector<std::string> sink_args{"--results", support::fresh_endpoint(transport, dir, "results"), "--feedback", feedback,
                                             "--control", control};
    process sink((python_sink ? std::vector<std::string>{python, peer("workflow", "workflow_sink.py")}
                              : std::vector<std::string>{WORKFLOW_SINK}) + sink_args);
    const auto results = support::endpoint_in(ready(sink, "results on"));
    std::vector<std::unique_ptr<process>> running;
    for (const auto& w : workers)
        running.push_back(std::make_unique<process>(w + std::vector<std::string>{"--tasks", tasks, "--results", results,
                                                                                 "--control", control}));
    for (auto& w : running) exits_0(*w, jvm_wait);
    exits_0(sink);
    exits_0(vent);
    const auto value = ready(sink, "portfolio value ");
    const auto at = value.find("portfolio value ") + 16;
    return {value.substr(at, value.find(' ', at) - at), ready(sink, "tasks by worker:")};
}

}  // namespace

TEST_CASE("interop: a batch with a C++, a Python and a Java worker gives exactly the all-C++ total", "[interop]")
{
    if (!have_python()) return;
    const bool with_java = have_java();
    support::private_dir dir;
    const std::vector<std::string> cpp{WORKFLOW_WORKER, "--name", "cpp"};
    const std::vector<std::string> py{python, peer("workflow", "workflow_worker.py"), "--name", "py"};
    const auto reference = run_batch("tcp", dir, false, {cpp});
    INFO("all C++: " << reference.total);

    SECTION("tcp: C++, Python and Java workers")
    {
        std::vector<std::vector<std::string>> workers{cpp, py};
        if (with_java) workers.push_back(java("WorkflowWorker") + std::vector<std::string>{"--name", "java"});
        const auto mixed = run_batch("tcp", dir, false, workers);
        CHECK(mixed.total == reference.total);
        CHECK_THAT(mixed.by_worker, ContainsSubstring("py "));
        if (with_java) CHECK_THAT(mixed.by_worker, ContainsSubstring("java "));
    }
    SECTION("ipc: C++ and Python workers")
    {
        CHECK(run_batch("ipc", dir, false, {cpp, py}).total == reference.total);
    }
    SECTION("tcp: the Python sink")
    {
        CHECK(run_batch("tcp", dir, true, {cpp, py}).total == reference.total);
    }
}
