// The trading desk across hosts: the desk on one host, using the ticker, the
// query engine, the chat and a workflow worker on three others, by address.
#include "catch.hpp"
#include <csignal>

#include "expect_line.hpp"
#include "hosts.hpp"
#include "process.hpp"

using namespace std::chrono_literals;
using hosts_test::expect_line;
using support::process;

TEST_CASE("desk across hosts: services on three hosts, the desk on a fourth", "[hosts]")
{
    BB_HOSTS_OR_SKIP();
    support::hosts net("desk", {"desk", "market", "chat", "work"});
    const auto at = [&](const std::string& host, int port) { return "tcp://" + net.address(host) + ":" + std::to_string(port); };
    process pub(net.on("market", {TICKER_PUB, "--bind", "tcp://*:5556"}));
    expect_line(pub, "publishing on");
    process engine(net.on("market", {QUERY_SERVER, "--feed", at("market", 5556), "--bind", "tcp://*:5580",
                                     "--publish", "tcp://*:5581"}));
    expect_line(engine, "answering queries on");
    process server(net.on("chat", {CHAT_SERVER, "--bind", "tcp://*:5570", "--publish", "tcp://*:5571"}));
    expect_line(server, "broadcasts on");
    // The desk binds the workflow's sockets; the worker connects to the desk's host.
    process worker(net.on("work", {WORKFLOW_WORKER, "--tasks", at("desk", 5560), "--results", at("desk", 5561),
                                   "--control", at("desk", 5563), "--stay"}));
    process desk(net.on("desk", {DESK, "--ui", "console", "--ticker", at("market", 5556), "--chat", at("chat", 5570),
                                 "--chat-broadcast", at("chat", 5571), "--tasks", "tcp://*:5560", "--results", "tcp://*:5561",
                                 "--control", "tcp://*:5563", "--workers", "1", "--paths", "2000",
                                 "--query", at("market", 5580)}),
                 support::piped_stdin);
    const bool joined = desk.wait_for("chat -- joined as desk", 20s).has_value();
    const bool ticks = desk.wait_for("tick ", 20s).has_value();
    desk.write_line("hello across hosts");
    const bool echo = desk.wait_for("chat <desk> hello across hosts", 20s).has_value();
    desk.write_line("/order 4");
    const bool valued = desk.wait_for("order 1: value ", 20s).has_value();
    desk.write_line("/query SYMBOLS");
    const bool answered = desk.wait_for("query 1 (SYMBOLS): ", 20s).has_value();
    desk.signal(SIGINT);
    const auto status = desk.wait_exit(5s);
    INFO(desk.output());
    CHECK(joined);
    CHECK(ticks);
    CHECK(echo);
    CHECK(valued);
    CHECK(answered);
    CHECK(status == 0);
    CHECK(desk.lines_with("E:").empty());
    // The order was valued on the worker's host: the desk has no worker thread of its own.
    CHECK(desk.wait_for("tasks by worker: workflow-worker 4", 0ms));
}
