// chat-client: DEALER connects to the server's ROUTER (default
// tcp://127.0.0.1:5570) for commands, SUB connects to its PUB (default
// tcp://127.0.0.1:5571) for the room's messages and everyone's presence.
// Lines come from the terminal, a pipe, a bot's script, or (as a thread) a
// PULL socket; /who, /room NAME, /quit are commands, the rest is said.
#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "chat.hpp"
#include "common/console.hpp"
#include "common/monitor.hpp"
#include "common/stop.hpp"
#include "session.hpp"
#include "terminal.hpp"

namespace chat {

using clock = std::chrono::steady_clock;

constexpr std::size_t max_pending = 100;  // lines typed while not joined
constexpr auto leave_grace = 200ms;       // wait this long for LEAVE's reply at the end

void add_options(common::program& prog, connection_options& opts)
{
    auto& app = prog.app();
    auto ms = [](std::chrono::milliseconds& out) { return [&out](double s) { out = std::chrono::milliseconds(static_cast<long>(s * 1000)); }; };
    prog.add_endpoints("-c,--connect", opts.connect, "chat", common::side::connect, "The server's command socket (ROUTER)");
    prog.add_endpoints("-s,--subscribe", opts.subscribe, "chat-broadcast", common::side::connect, "The server's broadcast socket (PUB)");
    app.add_option_function<double>("--heartbeat", ms(opts.heartbeat), "Seconds between heartbeats when idle")
        ->check(CLI::PositiveNumber)->type_name("S")->default_str("1");
    app.add_option_function<double>("--timeout", ms(opts.timeout), "Seconds without a reply before reconnecting")
        ->check(CLI::PositiveNumber)->type_name("S")->default_str("3");
    app.add_option("--max-text", opts.max_text, "Longest message text accepted from the server, in bytes")->check(CLI::Range(1, 1 << 20));
    app.add_option("--curve", opts.security.server_key_file, "CURVE: the server's public key file; needs --key")
        ->type_name("FILE")->check(CLI::ExistingFile);
    app.add_option("--key", opts.security.key_file, "CURVE: this client's secret key file (from chat-keygen)")
        ->type_name("FILE")->check(CLI::ExistingFile);
    app.add_option("--plain", opts.security.plain, "PLAIN: user:password")->type_name("USER:PASSWORD");
    prog.after_parse([&] {
        const auto& s = opts.security;
        if (s.curve() != !s.key_file.empty()) throw common::usage_error("--curve and --key go together");
        if (s.curve() && !s.plain.empty()) throw common::usage_error("--curve and --plain: pick one mechanism");
        if (!s.plain.empty() && s.plain.find(':') == std::string::npos) throw common::usage_error("--plain takes user:password");
        if (opts.heartbeat >= opts.timeout) throw common::usage_error("--timeout must be longer than --heartbeat");
    });
}

void add_options(common::program& prog, client_options& opts)
{
    auto& app = prog.app();
    prog.add_role_options(opts.role);
    add_options(prog, opts.conn);
    app.add_option("-u,--handle", opts.handle, "Your name in the chat (default: --name)")
        ->check([](const std::string& h) { return valid_name(h) ? "" : "1-24 characters of A-Z a-z 0-9 _ . -"; });
    app.add_option("-r,--room", opts.room, "Room to talk in")
        ->check([](const std::string& r) { return valid_name(r) ? "" : "1-24 characters of A-Z a-z 0-9 _ . -"; });
    prog.add_count(opts.count, "messages from others");
    app.add_flag("--bot", opts.bot, "Say a line from a built-in script every few seconds, instead of reading input");
    app.add_option_function<double>("--bot-interval", [&](double s) { opts.bot_interval = std::chrono::milliseconds(static_cast<long>(s * 1000)); },
                                    "Seconds between the bot's lines")->check(CLI::PositiveNumber)->type_name("S")->default_str("3");
    prog.after_parse([&] {
        if (opts.handle.empty()) opts.handle = opts.role.name;
        if (!valid_name(opts.handle)) throw common::usage_error("--name '" + opts.handle + "' is not a valid handle: pass --handle");
    });
}

namespace {

// What the bots of scripts/demo chat talk about.
const std::vector<std::string> bot_lines{
    "hello everyone!",
    "did you know a ROUTER socket puts the sender's identity in front of every message?",
    "and a DEALER talks to many peers without waiting for replies",
    "a message can have many frames, and arrives whole or not at all",
    "join us from your laptop: nc <the presenter's address> 5572",
    "restart the server: we come back by ourselves",
    "the PUB socket does the fan-out, the SUB filters by topic",
    "with --curve nobody on the wire can read this",
};

// Where typed lines come from.
class line_source {
public:
    line_source(zmq::context_t& ctx, const client_options& opts)
        : script_(opts.script.empty() ? bot_lines : opts.script), interval_(opts.bot_interval)
    {
        if (!opts.input.empty()) {
            pull_.emplace(ctx, zmq::socket_type::pull);
            common::connect(*pull_, opts.input);
        } else if (opts.bot) {
            next_line_ = std::hash<std::string>{}(opts.handle) % script_.size();
            due_ = clock::now() + interval_ / 2 + interval_ * (next_line_ % 2) / 2;  // two bots take turns
        } else {
            term_.emplace("> ", opts.conn.max_text);
        }
    }
    std::optional<zmq::pollitem_t> poll_item()
    {
        if (pull_) return zmq::pollitem_t{pull_->handle(), 0, ZMQ_POLLIN, 0};
        if (term_ && !term_->at_end()) return zmq::pollitem_t{nullptr, term_->fd(), ZMQ_POLLIN, 0};
        return std::nullopt;
    }
    std::optional<std::chrono::milliseconds> due_in() const
    {
        if (pull_ || term_) return std::nullopt;
        return std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(due_ - clock::now()));
    }
    // Lines ready now; after a poll said readable when `readable`.
    std::vector<std::string> take(bool readable)
    {
        std::vector<std::string> lines;
        if (pull_) {
            std::vector<zmq::message_t> msg;
            while (common::recv(*pull_, msg, {}, 0ms))
                if (msg.size() == 1) lines.push_back(msg[0].to_string());
        } else if (term_) {
            if (readable) term_->read_available();
            while (auto line = term_->next_line()) lines.push_back(std::move(*line));
        } else if (clock::now() >= due_) {
            lines.push_back(script_[next_line_++ % script_.size()]);
            due_ += interval_;
        }
        return lines;
    }
    bool at_end() const { return term_ && term_->at_end(); }
    const terminal_input* terminal() const { return term_ ? &*term_ : nullptr; }

private:
    std::optional<zmq::socket_t> pull_;
    std::optional<terminal_input> term_;
    std::vector<std::string> script_;
    std::chrono::milliseconds interval_;
    std::size_t next_line_ = 0;
    clock::time_point due_{};
};

}  // namespace

void run_client(zmq::context_t& ctx, const client_options& opts, std::stop_token stop)
{
    const common::console out(opts.role.name, opts.role.quiet);
    line_source input(ctx, opts);
    // Every line printed while someone types goes above their line.
    auto above = [&](const auto& emit) {
        if (input.terminal()) input.terminal()->hide();
        emit();
        if (input.terminal()) input.terminal()->show();
    };
    auto print = [&](auto&&... parts) { above([&] { out.info(parts...); }); };
    auto warn = [&](auto&&... parts) { above([&] { out.warn(parts...); }); };
    auto answer = [&](auto&&... parts) { above([&] { out.summary(parts...); }); };  // asked for: even with --quiet

    client_events events = opts.events;
    if (!events.on_notice) events.on_notice = [&](const std::string& text) { print(out.paint("-- " + text, common::colour::grey)); };
    auto on_reply = events.on_reply;
    events.on_reply = [&, on_reply](const reply& r) {
        if (!r.ok) warn("the server refused ", r.command, ": ", r.values[0]);
        else if (r.command == word::who) {
            std::string list;
            for (const auto& h : r.values) list += (list.empty() ? "" : ", ") + h;
            answer("present: ", list.empty() ? "nobody" : list);
        }
        if (on_reply) on_reply(r);
    };
    // SUB: presence ("*") and our room. The server's XPUB welcomes us once our
    // subscriptions are in place; only then do we join, so we miss nothing.
    std::string room = opts.room;
    std::optional<zmq::socket_t> sub;
    std::optional<event_pipe> sub_events;
    auto open_sub = [&] {
        sub_events.reset();
        sub.emplace(ctx, zmq::socket_type::sub);
        secure_client_socket(*sub, opts.conn.security);
        sub_events.emplace(ctx, *sub);
        sub->set(zmq::sockopt::subscribe, presence_topic);
        sub->set(zmq::sockopt::subscribe, room);
        for (const auto& ep : opts.conn.subscribe) common::connect(*sub, ep);
    };
    auto on_sub_event = [&](std::uint16_t event, std::uint32_t value, const std::string& endpoint) {
        if (opts.role.monitor) print(out.paint("monitor ", common::colour::grey), "sub: ", common::event_name(event), " ", endpoint);
        check_handshake(event, value, endpoint);
    };
    auto is_welcome = [](const std::vector<zmq::message_t>& msg) { return msg.size() == 1 && msg[0].to_string_view() == welcome; };
    open_sub();
    print("connecting to ", opts.conn.subscribe.front(), " and ", opts.conn.connect.front(), " as ", opts.handle, ", room ", room);
    std::vector<zmq::message_t> msg;
    for (bool welcomed = false; !welcomed && !stop.stop_requested();) {
        std::array<zmq::pollitem_t, 2> items{{{sub->handle(), 0, ZMQ_POLLIN, 0}, sub_events->poll_item()}};
        if (!common::poll(items, stop, opts.conn.timeout)) {
            if (!stop.stop_requested()) print(out.paint("-- still waiting for the server (is it running? the right --curve key?)", common::colour::grey));
            continue;
        }
        sub_events->drain(on_sub_event);
        while (!welcomed && common::recv(*sub, msg, stop, 0ms)) welcomed = is_welcome(msg);
    }
    if (stop.stop_requested()) return;
    session chat(ctx, opts.conn, opts.handle, events, out, opts.role.monitor);
    auto generation = chat.generation();
    bool sub_welcomed = true;
    const bool over_inproc = std::any_of(opts.conn.subscribe.begin(), opts.conn.subscribe.end(),
                                         [](const std::string& ep) { return ep.starts_with("inproc://"); });

    std::deque<std::string> pending;
    std::uint64_t heard = 0;
    bool quitting = false;

    // One typed line: a /command or something to say.
    auto handle_line = [&](const std::string& line) {
        if (line.empty()) return;
        if (line == "/quit") { quitting = true; return; }
        if (line == "/who") return chat.who();
        if (line.starts_with("/room ")) {
            const auto next = line.substr(6);
            if (!valid_name(next)) return warn("a room name has 1-24 characters of A-Z a-z 0-9 _ . -");
            sub->set(zmq::sockopt::unsubscribe, room);  // a SUB changes its filter at any time
            room = next;
            sub->set(zmq::sockopt::subscribe, room);
            return print("-- now in room ", room);
        }
        if (line.starts_with("/")) return print("-- commands: /who, /room NAME, /quit; anything else is said to the room");
        if (!chat.joined()) {
            if (pending.size() < max_pending) pending.push_back(line);
            return;
        }
        chat.say(room, line);
    };

    while (!stop.stop_requested() && !quitting) {
        // Wait for the session's sockets, the SUB and the input.
        std::vector<zmq::pollitem_t> items;
        for (const auto& item : chat.poll_items()) items.push_back(item);
        items.push_back({sub->handle(), 0, ZMQ_POLLIN, 0});
        items.push_back(sub_events->poll_item());
        const auto input_item = input.poll_item();
        if (input_item) items.push_back(*input_item);
        auto wait = chat.next_tick();
        if (const auto due = input.due_in()) wait = std::min(wait, *due);
        if (!common::poll(items, stop, wait) && stop.stop_requested()) break;

        chat.pump();
        sub_events->drain(on_sub_event);
        while (common::recv(*sub, msg, stop, 0ms)) {
            if (is_welcome(msg)) {  // after a reconnect
                events.on_notice("listening to the room again");
                sub_welcomed = true;
                continue;
            }
            auto b = parse_broadcast(msg, opts.conn.max_text);
            if (!b) { warn("dropped a malformed broadcast: ", b.error()); continue; }
            if (b->topic != presence_topic && b->topic != room) continue;  // "lobby" also matches "lobby2"
            if (opts.events.on_broadcast) opts.events.on_broadcast(*b);
            else if (b->kind == word::msg) print(out.paint("<" + b->handle + ">", b->handle == opts.handle ? common::colour::grey : common::colour::cyan), " ", b->text);
            else print(out.paint("* " + b->handle + (b->kind == word::joined ? " joined" : b->kind == word::left ? " left" : " expired (silent too long)"), common::colour::yellow));
            if (b->kind == word::msg && b->handle != opts.handle) ++heard;
        }
        if (opts.count > 0 && heard >= opts.count) break;

        // A pipe's end shows as POLLERR (hang-up), not POLLIN: any event means "read".
        for (const auto& line : input.take(input_item && items.back().revents != 0)) handle_line(line);
        while (chat.joined() && !pending.empty()) {
            chat.say(room, pending.front());
            pending.pop_front();
        }
        chat.tick();
        // Back after a reconnect. tcp and ipc SUBs reconnect by themselves (and
        // are welcomed again), and one that never lost its connection must not
        // be replaced (it would miss messages); an inproc one never comes back
        // after a server restart: open a fresh one.
        if (chat.generation() != generation && over_inproc) sub_welcomed = false;
        generation = chat.generation();
        if (chat.joined() && !sub_welcomed) {
            open_sub();
            sub_welcomed = true;  // its welcome will say so
        }
        // A script or pipe that ended: done once everything said was answered.
        if (input.at_end() && pending.empty() && chat.joined() && chat.waiting() == 0) break;
    }

    // Say goodbye, briefly: the server would expire us anyway.
    const bool left = chat.leave();
    const auto deadline = clock::now() + leave_grace;
    while (left && chat.waiting() > 0 && clock::now() < deadline) {
        auto items = chat.poll_items();
        common::poll(items, {}, std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now()));
        chat.pump();
    }
    out.summary("heard ", heard, heard == 1 ? " message" : " messages", " from others");
}

}  // namespace chat
