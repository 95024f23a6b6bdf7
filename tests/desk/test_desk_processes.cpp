// desk as a program: its command line; in console mode with every service
// embedded; and against the services started as processes over tcp and ipc.
#include "catch.hpp"
#include <csignal>

#include "common/program.hpp"
#include "endpoints.hpp"
#include "process.hpp"

using namespace std::chrono_literals;

namespace {

// Says a line, places two orders, asks two queries; checks the chat echo,
// ticks, values and answers.
void exercise(support::process& desk)
{
    const bool joined = desk.wait_for("chat -- joined as desk").has_value();
    const bool ticks = desk.wait_for("tick ").has_value();
    desk.write_line("hello from the test");
    const bool echo = desk.wait_for("chat <desk> hello from the test").has_value();
    desk.write_line("/order 4");
    const bool started = desk.wait_for("order 1: 4 positions sent to the workflow").has_value();
    const bool valued = desk.wait_for("order 1: value ").has_value();
    desk.write_line("/order 3");  // the workers are still there for the next batch
    const bool again = desk.wait_for("order 2: value ").has_value();
    desk.write_line("/query SYMBOLS");
    const bool answered = desk.wait_for("query 1 (SYMBOLS): ").has_value();
    desk.write_line("/query LAST");  // the engine's error comes back as an answer
    const bool refused = desk.wait_for("query 2 (LAST): error: column ").has_value();
    desk.signal(SIGINT);
    const auto status = desk.wait_exit(5s);
    INFO(desk.output());  // taken now: everything it printed
    CHECK(joined);
    CHECK(ticks);
    CHECK(echo);
    CHECK(started);
    CHECK(valued);
    CHECK(again);
    CHECK(answered);
    CHECK(refused);
    CHECK(status == 0);
    CHECK(desk.lines_with("E:").empty());
    CHECK(desk.lines_with("W:").empty());
}

// A tcp port the kernel says is free now: the desk binds it for each
// order's batch, and the worker process connects to it (and reconnects).
std::string free_tcp_port()
{
    zmq::context_t ctx;
    zmq::socket_t probe(ctx, zmq::socket_type::pull);
    probe.bind("tcp://127.0.0.1:*");
    return probe.get(zmq::sockopt::last_endpoint);
}

void against_processes(const std::string& transport)
{
    support::private_dir dir;
    auto ep = [&](const std::string& name) { return support::fresh_endpoint(transport, dir, name); };
    support::process pub({TICKER_PUB, "--bind", ep("ticker")});
    const auto ticker = support::endpoint_in(pub.wait_for("publishing on").value_or(""));
    support::process server({CHAT_SERVER, "--bind", ep("chat"), "--publish", ep("chat-broadcast")});
    const auto broadcasts = support::endpoint_in(server.wait_for("broadcasts on").value_or(""));
    const auto commands = support::endpoint_in(server.wait_for("commands on").value_or(""));
    REQUIRE(!ticker.empty());
    REQUIRE(!commands.empty());
    support::process engine({QUERY_SERVER, "--feed", ticker, "--bind", ep("query"), "--publish", ep("query-updates")});
    const auto queries = support::endpoint_in(engine.wait_for("answering queries on").value_or(""));
    REQUIRE(!queries.empty());
    const auto tasks = transport == "tcp" ? free_tcp_port() : ep("tasks");
    const auto results = transport == "tcp" ? free_tcp_port() : ep("results");
    const auto control = transport == "tcp" ? free_tcp_port() : ep("control");
    support::process worker({WORKFLOW_WORKER, "--tasks", tasks, "--results", results, "--control", control, "--stay"});
    support::process desk({DESK, "--ui", "console", "--ticker", ticker, "--chat", commands, "--chat-broadcast", broadcasts,
                           "--tasks", tasks, "--results", results, "--control", control, "--workers", "1", "--paths", "2000",
                           "--query", queries},
                          support::piped_stdin);
    exercise(desk);
    const bool stayed = worker.wait_for("batch complete: waiting for the next one", 1s).has_value();
    INFO(worker.output());
    CHECK(stayed);
}

}  // namespace

TEST_CASE("inproc: desk in console mode, every service embedded", "[inproc]")
{
    support::process desk({DESK, "--ui", "console", "--paths", "2000", "--no-bot"}, support::piped_stdin);
    exercise(desk);
}

TEST_CASE("tcp: desk against ticker-pub, chat-server, query-server and a workflow-worker as processes", "[tcp]")
{
    against_processes("tcp");
}

TEST_CASE("ipc: desk against ticker-pub, chat-server, query-server and a workflow-worker as processes", "[ipc]")
{
    against_processes("ipc");
}

TEST_CASE("cli: desk's command line", "[cli]")
{
    CHECK(support::run({DESK, "--help"}).status == 0);
    CHECK(support::run({DESK, "--tasks", "tcp://*:5560"}).status == 2);
    CHECK(support::run({DESK, "--chat", "tcp://127.0.0.1:5570"}).status == 2);
    CHECK(support::run({DESK, "--http", "nowhere"}).status == 2);
    CHECK(support::run({DESK, "--ui", "teletype"}).status == 2);
}

TEST_CASE("web: desk serves the dashboard, events and requests, and Ctrl-C ends open streams", "[web]")
{
    support::process desk({DESK, "--http", "127.0.0.1:0", "--paths", "2000"});
    INFO(desk.output());
    const auto line = desk.wait_for("dashboard on http://");
    REQUIRE(line);
    const auto url = line->substr(line->find("http://"));
    // curl stands in for a browser here; the browser test uses Chromium.
    support::process events({"/usr/bin/curl", "-sN", url + "events"});
    CHECK(events.wait_for(R"(data: {"kind":"tick")"));
    const auto page = support::run({"/usr/bin/curl", "-sf", url});
    CHECK(page.output.find("<title>Trading desk") != std::string::npos);
    // A POST needs the dashboard's own Origin, as a browser's page sends it.
    const auto origin = "Origin: " + url.substr(0, url.size() - 1);
    const auto said = support::run({"/usr/bin/curl", "-s", "-XPOST", "-H", origin, "--data", "over http", url + "chat"});
    CHECK(said.output.starts_with(R"({"ok":true})"));
    CHECK(events.wait_for(R"("handle":"desk","text":"over http")"));
    const auto refused = support::run({"/usr/bin/curl", "-s", "-XPOST", "-H", origin, "--data", "-3", url + "order"});
    CHECK(refused.output.find(R"("ok":false)") != std::string::npos);
    desk.signal(SIGINT);
    CHECK(desk.wait_exit(5s) == 0);
    CHECK(events.wait_exit(5s).has_value());  // the stream ended (cut short: curl says 18)
}
