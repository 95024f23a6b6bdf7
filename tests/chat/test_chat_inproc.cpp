// The chat's roles as threads of this process, sharing one context, over
// inproc. Each client thread reads its typed lines from a PULL socket the test
// pushes to, and reports what it sees through callbacks.
#include "catch.hpp"
#include <algorithm>
#include <condition_variable>
#include <list>
#include <mutex>

#include "chat.hpp"
#include "chat_test_util.hpp"
#include "common/stop.hpp"
#include "common/threads.hpp"

using namespace std::chrono_literals;

namespace {

// What a client thread saw, as text lines, read by the test thread.
class inbox {
public:
    void add(std::string line)
    {
        std::scoped_lock lock(mutex_);
        lines_.push_back(std::move(line));
        changed_.notify_all();
    }
    // Until text was seen `times` times.
    bool wait_for(const std::string& text, std::chrono::milliseconds timeout = 10s, std::size_t times = 1)
    {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] {
            return static_cast<std::size_t>(std::count(lines_.begin(), lines_.end(), text)) >= times;
        });
    }
    std::size_t count(const std::string& text)
    {
        std::scoped_lock lock(mutex_);
        return static_cast<std::size_t>(std::count(lines_.begin(), lines_.end(), text));
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
};

// A client thread's options: events into the inbox, lines from a PULL.
struct test_client {
    chat::client_options opts;
    inbox seen;
    zmq::socket_t input;

    test_client(zmq::context_t& ctx, const std::string& handle, const std::string& commands, const std::string& broadcasts)
        : input(ctx, zmq::socket_type::push)
    {
        opts.role = {handle, true, false};
        opts.handle = handle;
        opts.conn.connect = {commands};
        opts.conn.subscribe = {broadcasts};
        opts.conn.heartbeat = 100ms;
        opts.conn.timeout = 500ms;
        opts.input = support::fresh_endpoint("inproc", {}, handle + "-input");
        input.bind(opts.input);
        opts.events.on_broadcast = [this](const chat::broadcast& b) {
            seen.add(b.kind == chat::word::msg ? "<" + b.handle + "> " + b.text : b.handle + " " + b.kind);
        };
        opts.events.on_notice = [this](const std::string& text) { seen.add("-- " + text); };
        opts.events.on_reply = [this](const chat::reply& r) {
            if (r.command == chat::word::who) {
                std::string list;
                for (const auto& h : r.values) list += " " + h;
                seen.add("present:" + list);
            }
        };
    }
    void type(const std::string& line) { input.send(zmq::buffer(line), zmq::send_flags::none); }
};

struct topology {
    zmq::context_t ctx = common::make_context();
    std::string commands = support::fresh_endpoint("inproc", {}, "chat");
    std::string broadcasts = support::fresh_endpoint("inproc", {}, "chat-broadcast");
    chat::server_options server;
    std::unique_ptr<common::thread_group> servers = std::make_unique<common::thread_group>();
    std::list<test_client> people;  // outlive the client threads, which report into them
    common::thread_group clients;

    explicit topology(std::chrono::milliseconds expiry = 10s)
    {
        server.role = {"server", true, false};
        server.bind = {commands};
        server.publish = {broadcasts};
        server.expiry = expiry;
        start_server();
    }
    void start_server()
    {
        servers->spawn("server", [this](std::stop_token s) { chat::run_server(ctx, server, s); });
    }
    void stop_server()
    {
        servers->request_stop();
        servers->wait();
        servers = std::make_unique<common::thread_group>();
    }
    test_client& person(const std::string& handle) { return people.emplace_back(ctx, handle, commands, broadcasts); }
    void start(test_client& c)
    {
        clients.spawn(c.opts.handle, [this, &c](std::stop_token s) { chat::run_client(ctx, c.opts, s); });
    }
};

}  // namespace

TEST_CASE("inproc: two client threads join, talk, and see each other come and go", "[inproc]")
{
    topology t;
    auto& alice = t.person("alice");
    auto& bob = t.person("bob");
    t.start(alice);
    REQUIRE(alice.seen.wait_for("alice JOINED"));
    t.start(bob);
    REQUIRE(bob.seen.wait_for("bob JOINED"));
    CHECK(alice.seen.wait_for("bob JOINED"));

    alice.type("hello bob");
    CHECK(bob.seen.wait_for("<alice> hello bob"));
    bob.type("hi alice");
    CHECK(alice.seen.wait_for("<bob> hi alice"));
    bob.type("/who");
    CHECK(bob.seen.wait_for("present: alice bob"));
    bob.type("/room kitchen");  // a room of his own: alice's next line does not reach him
    bob.type("/who");
    REQUIRE(bob.seen.wait_for("present: alice bob", 10s, 2));  // so the /room before it is done
    alice.type("anyone in the lobby?");
    CHECK(alice.seen.wait_for("<alice> anyone in the lobby?"));
    bob.type("/quit");
    CHECK(alice.seen.wait_for("bob LEFT"));
    CHECK(bob.seen.count("<alice> anyone in the lobby?") == 0);
    t.clients.request_stop();
    t.clients.wait();
}

TEST_CASE("inproc: a handle already taken stops the second client with the reason", "[inproc]")
{
    topology t;
    auto& alice = t.person("alice");
    auto& impostor = t.person("alice");
    t.start(alice);
    REQUIRE(alice.seen.wait_for("alice JOINED"));
    common::thread_group second;
    second.spawn("impostor", [&](std::stop_token s) { chat::run_client(t.ctx, impostor.opts, s); });
    CHECK_THROWS_WITH(second.wait(), ContainsSubstring("cannot join as 'alice': handle 'alice' is taken"));
    alice.type("unbothered");
    CHECK(alice.seen.wait_for("<alice> unbothered"));
}

TEST_CASE("inproc: a silent client expires, a heartbeating one stays", "[inproc]")
{
    topology t(1s);  // heartbeats every 100 ms: a loaded machine still keeps the watcher in
    auto& watcher = t.person("watcher");
    t.start(watcher);
    REQUIRE(watcher.seen.wait_for("watcher JOINED"));
    chat_test::raw_client ghost(t.ctx, t.commands);
    REQUIRE(ghost.ask({"JOIN", "ghost"}) == std::vector<std::string>{"OK", "JOIN", "ghost"});
    CHECK(watcher.seen.wait_for("ghost EXPIRED"));
    CHECK(watcher.seen.count("watcher EXPIRED") == 0);
}

TEST_CASE("inproc: client threads re-join a restarted server thread", "[inproc]")
{
    topology t;
    auto& alice = t.person("alice");
    auto& bob = t.person("bob");
    t.start(alice);
    t.start(bob);
    REQUIRE(alice.seen.wait_for("alice JOINED"));
    REQUIRE(bob.seen.wait_for("bob JOINED"));

    t.stop_server();
    CHECK(alice.seen.wait_for("-- no reply from the server for 500 ms: reconnecting"));
    t.start_server();
    CHECK(alice.seen.wait_for("-- the server is back: joined again as alice"));
    CHECK(bob.seen.wait_for("-- the server is back: joined again as bob"));
    CHECK(bob.seen.wait_for("-- listening to the room again"));  // bob's fresh SUB is subscribed
    alice.type("back in business");
    CHECK(bob.seen.wait_for("<alice> back in business"));
}
