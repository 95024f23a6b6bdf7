// chat-gateway: a STREAM socket binds plain TCP (default tcp://*:5572) so that
// anyone can chat with `nc HOST 5572`, no ZeroMQ needed. STREAM hands us raw
// bytes as [connection id][data]; an empty data frame means a connection
// opened or closed. Each person gets a DEALER session to the server
// (default tcp://127.0.0.1:5570); one SUB (default tcp://127.0.0.1:5571)
// brings the room's messages, which go out to every connection.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "chat.hpp"
#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"
#include "session.hpp"

namespace chat {

constexpr std::size_t max_line_slack = 64;  // bytes past max_text before a line is cut

void add_options(common::program& prog, gateway_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    add_options(prog, opts.conn);
    app.add_option("-l,--listen", opts.listen, "Where people connect with nc or telnet: tcp only (repeatable)")
        ->type_name("ENDPOINT")->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->default_str("tcp://*:" + std::to_string(common::default_port("chat-gateway")));
    app.add_option("-r,--room", opts.room, "Room the people from TCP talk in")
        ->check([](const std::string& r) { return valid_name(r) ? "" : "1-24 characters of A-Z a-z 0-9 _ . -"; });
    app.add_option("--max-people", opts.max_people, "Most TCP connections at once")->check(CLI::PositiveNumber);
    prog.after_parse([&] {
        if (opts.listen.empty()) opts.listen.push_back(common::endpoints_for("chat-gateway", common::transport::tcp).bind);
        for (const auto& ep : opts.listen)
            if (!ep.starts_with("tcp://")) throw common::usage_error("--listen '" + ep + "': a STREAM socket speaks tcp only");
    });
}

namespace {

// One person on a raw TCP connection.
struct person {
    line_splitter lines;
    std::unique_ptr<session> chat;  // once they gave a handle
    unsigned generation = 0;        // the session's, when last seen
    bool closing = false;
};

class gateway {
public:
    gateway(zmq::context_t& ctx, const gateway_options& opts, const common::console& out, zmq::socket_ref stream)
        : ctx_(ctx), opts_(opts), out_(out), stream_(stream) {}

    // slide: chat-gateway-stream-in
    // [connection id][bytes]: a connection opened or closed (no bytes), or data.
    void from_stream(std::vector<zmq::message_t>& msg)
    {
        if (msg.size() != 2) return;
        const auto id = msg[0].to_string();
        if (closed_.count(id)) return;  // its "closed" notice, after we closed it
        auto it = people_.find(id);
        if (msg[1].size() == 0) {
            if (it == people_.end()) return opened(id);
            if (it->second.chat) it->second.chat->leave();
            out_.info(it->second.chat ? it->second.chat->handle() : "someone", " hung up");
            people_.erase(it);
            closed_.insert(id);
            return;
        }
    // end slide
        if (it == people_.end()) return;
        auto& p = it->second;
        p.lines.feed(msg[1].to_string_view(), opts_.conn.max_text + max_line_slack,
                     [&](const std::string& text) { line(id, p, text); },
                     [&] { write(id, "! that line is too long: dropped\n"); });
        if (p.closing) {
            close(id);
            people_.erase(id);
        }
    }

    // A broadcast from the server, for everyone with a handle.
    void from_sub(const broadcast& b)
    {
        if (b.topic != presence_topic && b.topic != opts_.room) return;
        const std::string text = b.kind == word::msg ? "<" + b.handle + "> " + b.text + "\n"
                                 : "* " + b.handle + (b.kind == word::joined ? " joined\n" : b.kind == word::left ? " left\n" : " expired\n");
        for (auto& [id, p] : people_)
            if (p.chat && p.chat->joined() && !(b.kind == word::msg && b.handle == p.chat->handle())) write(id, text);
    }

    void add_poll_items(std::vector<zmq::pollitem_t>& items)
    {
        for (auto& [id, p] : people_)
            if (p.chat) for (const auto& item : p.chat->poll_items()) items.push_back(item);
    }

    // Each person's session: replies, heartbeats, reconnects.
    std::chrono::milliseconds run_sessions()
    {
        auto next = std::chrono::milliseconds(1000);
        any_joined_ = false;
        for (auto it = people_.begin(); it != people_.end();) {
            auto& [id, p] = *it;
            ++it;
            if (!p.chat) continue;
            try {
                p.chat->pump();
                p.chat->tick();
                next = std::min(next, p.chat->next_tick());
                if (p.chat->generation() != p.generation) reconnected_ = true;
                p.generation = p.chat->generation();
                any_joined_ = any_joined_ || p.chat->joined();
            } catch (const std::exception& e) {  // e.g. the handle is taken: ask again
                write(id, std::string("! ") + e.what() + "\nYour handle? ");
                p.chat.reset();
            }
        }
        return next;
    }

    void close_all()
    {
        for (auto& [id, p] : people_) {
            if (p.chat) p.chat->leave();
            write(id, "-- the gateway is closing. Bye!\n");
            close(id);
        }
    }

    std::size_t size() const { return people_.size(); }
    // A session reconnected since the last call (the server may have restarted).
    bool reconnected() { return std::exchange(reconnected_, false); }
    bool anyone_joined() const { return any_joined_; }  // at the last run_sessions()

private:
    void opened(const std::string& id)
    {
        if (people_.size() >= opts_.max_people) {
            write(id, "! the chat is full, sorry\n");
            return close(id);
        }
        people_.emplace(id, person{});
        out_.info("someone connected (", people_.size(), " on TCP now)");
        write(id, "Welcome to the ZeroMQ chat, room " + opts_.room + ". Your handle? ");
    }

    void line(const std::string& id, person& p, const std::string& text)
    {
        if (text.empty()) return;
        if (!p.chat) {  // the first line is the handle
            if (!valid_name(text)) return write(id, "! 1-24 characters of A-Z a-z 0-9 _ . - please. Your handle? ");
            client_events events;
            events.on_notice = [this, id](const std::string& notice) { write(id, "-- " + notice + "\n"); };
            events.on_reply = [this, id](const reply& r) {
                if (!r.ok) return write(id, "! the server refused " + r.command + ": " + r.values[0] + "\n");
                if (r.command == word::join) write(id, "-- type to talk; /who lists who is here, /quit leaves\n");
                if (r.command != word::who) return;
                std::string list;
                for (const auto& h : r.values) list += (list.empty() ? "" : ", ") + h;
                write(id, "-- present: " + list + "\n");
            };
            p.chat = std::make_unique<session>(ctx_, opts_.conn, text, std::move(events), out_, opts_.role.monitor);
            p.generation = p.chat->generation();
            return;
        }
        if (text == "/quit") {
            p.chat->leave();
            write(id, "-- bye!\n");
            p.closing = true;
        } else if (text == "/who") {
            p.chat->who();
        } else if (!p.chat->joined()) {
            write(id, "! not in the chat yet: wait a moment\n");
        } else {
            p.chat->say(opts_.room, text);
        }
    }

    // slide: chat-gateway-stream-out
    // STREAM: [id][bytes] writes; [id][nothing] closes. Never waits: a
    // connection that does not read loses lines, nobody else stalls.
    void write(const std::string& id, const std::string& text)
    {
        stream_.send(zmq::buffer(id), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        stream_.send(zmq::buffer(text), zmq::send_flags::dontwait);
    }
    void close(const std::string& id)
    {
        stream_.send(zmq::buffer(id), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        stream_.send(zmq::message_t(), zmq::send_flags::dontwait);
        closed_.insert(id);
    }
    // end slide

    zmq::context_t& ctx_;
    const gateway_options& opts_;
    const common::console& out_;
    zmq::socket_ref stream_;
    std::map<std::string, person> people_;  // by STREAM connection id
    std::set<std::string> closed_;          // ids are never reused: ignore late events
    bool reconnected_ = false, any_joined_ = false;
};

}  // namespace

void run_gateway(zmq::context_t& ctx, const gateway_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    zmq::socket_t sub;
    auto open_sub = [&] {
        sub = zmq::socket_t(ctx, zmq::socket_type::sub);
        secure_client_socket(sub, opts.conn.security);
        sub.set(zmq::sockopt::subscribe, presence_topic);
        sub.set(zmq::sockopt::subscribe, opts.room);
        for (const auto& ep : opts.conn.subscribe) common::connect(sub, ep);
    };
    open_sub();
    bool sub_welcomed = true;
    const bool over_inproc = std::any_of(opts.conn.subscribe.begin(), opts.conn.subscribe.end(),
                                         [](const std::string& ep) { return ep.starts_with("inproc://"); });

    zmq::socket_t stream(ctx, zmq::socket_type::stream);
    auto monitor = common::monitor_if(opts.role.monitor, ctx, stream, "stream", out);
    for (const auto& ep : opts.listen) {
        const auto bound = common::bind(stream, ep);
        auto host = bound.substr(6, bound.rfind(':') - 6);
        if (host == "0.0.0.0") host = "<this machine's address>";
        out.info("listening on ", bound, " (try: nc ", host, " ", bound.substr(bound.rfind(':') + 1), ")");
    }

    gateway bridge(ctx, opts, out, stream);
    std::vector<zmq::message_t> msg;
    auto wait = std::chrono::milliseconds(1000);
    while (!stop.stop_requested()) {
        std::vector<zmq::pollitem_t> items{{stream.handle(), 0, ZMQ_POLLIN, 0}, {sub.handle(), 0, ZMQ_POLLIN, 0}};
        bridge.add_poll_items(items);
        if (!common::poll(items, stop, wait) && stop.stop_requested()) break;
        while (common::recv(stream, msg, stop, 0ms)) bridge.from_stream(msg);
        while (common::recv(sub, msg, stop, 0ms)) {
            if (msg.size() == 1 && msg[0].to_string_view() == welcome) {
                sub_welcomed = true;
                continue;
            }
            auto b = parse_broadcast(msg, opts.conn.max_text);
            if (b) bridge.from_sub(*b);
            else out.warn("dropped a malformed broadcast: ", b.error());
        }
        wait = bridge.run_sessions();
        // As in the client: a tcp or ipc SUB comes back (and is welcomed) by
        // itself after a server restart; an inproc one never does.
        if (bridge.reconnected() && over_inproc) sub_welcomed = false;
        if (!sub_welcomed && bridge.anyone_joined()) {
            open_sub();
            sub_welcomed = true;
        }
    }
    bridge.close_all();
    out.summary("stopped with ", bridge.size(), " people connected");
}

}  // namespace chat
