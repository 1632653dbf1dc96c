/* SPDX-License-Identifier: MIT */
/* HTTP GETs to the engine over one kept-alive connection: status and body, bounded in size and
 * time, API version agreed; and unary gRPC calls to a CRI engine over HTTP/2. */
#pragma once

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "endpoint.h"
#include "error.h"
#include "util.h"

/* The API version asked for first; every field read here exists unchanged since 1.24. */
#define ENGINE_API_VERSION "1.41"
#define ENGINE_API_MIN "1.24"

/* Responses larger than this are refused: an inspect answer is a few KiB. */
#define ENGINE_BODY_MAX ((size_t) 8 << 20)

#define ENGINE_ATTEMPTS_MAX 2
/* The calls one exchange records for -v: a CRI lookup makes three. */
#define ENGINE_EXCHANGE_MAX 4

/* peer_uid when it cannot be known. */
#define ENGINE_PEER_UID_UNKNOWN ((uid_t) -1)

/* A request beside its answer: what was asked and which engine answered. The lookup hands it on
 * for -v, where the body is long parsed and gone. */
struct engine_exchange {
        char server_api[16]; /* the Api-Version header, "" if none */
        char libpod_api[32]; /* the Libpod-Api-Version header: the engine is Podman */
        /* The requests made, for -v: one, or two when the engine asked for another version. */
        struct {
                char path[320];
                long status;
        } attempts[ENGINE_EXCHANGE_MAX];
        int n_attempts; /* 0: no answer came */
        /* The attempts are CRI calls (engine_grpc_call): path is the method, status its gRPC status. */
        bool grpc;
        /* Whose engine answered: the user and process behind the connected socket, read from
         * the kernel before the first request went out on it (SO_PEERCRED on a unix socket: the
         * listener's credentials when it called listen(); on loopback tcp, the uid the kernel's
         * socket table gives the engine's end, and no pid). The engine was then believed under
         * endpoint_trusts: root's, the caller's, or named by the caller. peer_uid is
         * ENGINE_PEER_UID_UNKNOWN and peer_pid 0 when the kernel cannot tell; peer_pid is 0 too
         * for an engine in a PID namespace we cannot see into. For the lead's checks of what
         * the engine says (the target's cgroup must be this user's). */
        uid_t peer_uid;
        pid_t peer_pid;
};

struct engine_response {
        long status;
        char *body; /* NUL-terminated, owned */
        size_t len;
        struct engine_exchange exchange;
};

/* One exchange with the engine: a connection kept alive across requests, one deadline
 * (timeout_ms from engine_open) for all of them, and the API version agreed on the first. */
struct engine;

/* Every connection it makes is checked before a request goes out on it: whose engine is it
 * (SO_PEERCRED), and is that one to believe (endpoint_trusts, with geteuid())? A refusal fails
 * the request with EPERM, and nothing is sent. */
int engine_open(const struct endpoint *ep, long timeout_ms, struct engine **ret, struct nsx_error *err);

/* GETs /vVERSION/path (path starts with "/"). Asks for ENGINE_API_VERSION; when the engine
 * answers that this is too new or too old for it, asks once more with the version it names
 * (refusing one older than ENGINE_API_MIN) and keeps that version for later requests: the
 * common case stays one request, with no /_ping first.
 * On success *ret holds any HTTP status, 4xx/5xx included: their meaning belongs to the caller. */
int engine_request(struct engine *e, const char *path, struct engine_response *ret, struct nsx_error *err);

/* Closes the connection and frees everything of libcurl (it does not set O_CLOEXEC, so this
 * must run before any setns or exec). NULL is fine. */
void engine_close(struct engine *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct engine *, engine_close)

/* open + one request + close: for the single lookup of a normal run. */
int engine_get(const struct endpoint *ep, const char *path, long timeout_ms, struct engine_response *ret,
               struct nsx_error *err);

/* A streaming GET (the event stream): the same peer checks as engine_open before a byte is sent;
 * timeout_ms bounds the connect and the answer's headers only, since the body never ends. The
 * body is handed out a line at a time (lines longer than ENGINE_STREAM_LINE_MAX are refused:
 * the stream ends with an error). The connection's socket is made close-on-exec, but libcurl's
 * multi handle has sockets of its own without O_CLOEXEC (Debian's 7.88: a socketpair to wake its
 * poll; the lean build has none): a child that enters a namespace or execs closes them first. */
#define ENGINE_STREAM_LINE_MAX ((size_t) 64 << 10)

struct engine_stream;

/* Starts GET /vVERSION/path (ENGINE_API_MIN: /events and its filters exist unchanged since then;
 * an engine that names another version in a 400 is asked once more with it, as engine_request
 * does) and waits, up to timeout_ms, for the answer's headers (-ETIMEDOUT): anything but 200 is
 * an error carrying the engine's message and err->http_status (-ENOENT for a 404, else
 * -EPROTO). */
int engine_stream_open(const struct endpoint *ep, const char *path, long timeout_ms, struct engine_stream **ret,
                       struct nsx_error *err);

/* Waits up to timeout_ms (-1: no limit) for the stream's next bytes or for one of extra (poll(2)'s
 * own structures, their revents filled in), and reads what came. Returns the number of extra
 * entries with revents set (0 on a timeout or when only the stream moved), or -errno: the stream
 * ended or failed (err says which; the caller may go on without it, polling with poll(2)).
 * In detail: it returns as soon as an extra fd is ready (revents as poll(2) gives them, POLLHUP,
 * POLLERR and POLLNVAL included; entries with fd -1 are ignored), a new complete line is in, or
 * timeout_ms passed; lines not yet taken make it return at once. The end (-ECONNRESET: the engine
 * closed the stream, cleanly or not; -EMSGSIZE: a line over the bound; else as engine_request's
 * errors) is reported only once every line received before it was taken, and then on every call. */
int engine_stream_wait(struct engine_stream *s, struct pollfd *extra, unsigned n_extra, int timeout_ms,
                       struct nsx_error *err);

/* The next complete line received (without its newline), NUL-terminated, valid until the next
 * call on s; NULL when none is left. */
const char *engine_stream_line(struct engine_stream *s, size_t *ret_len);

void engine_stream_close(struct engine_stream *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct engine_stream *, engine_stream_close)

/* Pure: the API version an engine's "client version X is too new/old" answer points to, into
 * buf ("" if the body says no such thing). */
void engine_version_hint(const char *body, size_t len, char *buf, size_t size);

/* Pure: the uid owning the tcp socket whose local end is local and remote end remote, both in
 * the kernel's /proc/net/tcp{,6} form ("0100007F:0CEA"), from that table's text; -ENOENT when no
 * line matches. */
int engine_tcp_owner(const char *table, const char *local, const char *remote, uid_t *ret);

/* Pure: compares "1.41"-style versions; <0, 0, >0. Non-versions compare lowest. */
int engine_version_cmp(const char *a, const char *b);

void engine_response_done(struct engine_response *r);
DEFINE_STRUCT_CLEANUP_FUNC(struct engine_response, engine_response_done)

/* gRPC: one unary call to a CRI engine (containerd, CRI-O) over HTTP/2 with prior knowledge,
 * on a fresh connection of its own, checked as engine_open's are before a byte is sent. */
struct engine_grpc_response {
        uint8_t *msg; /* the response message (the frame's payload), owned; NULL when none came (an
                       * error status); an empty message is a non-NULL msg with len 0 */
        size_t len;
        int grpc_status;                 /* 0 OK; a missing grpc-status is an error of the call (EPROTO) */
        char grpc_message[256];          /* grpc-message, percent-decoded, printable ASCII ("?" for the rest) */
        struct engine_exchange exchange; /* peer uid/pid; attempts[0].path = method, status = HTTP status */
};

/* One unary call of method ("/runtime.v1.RuntimeService/ListContainers") with the serialized
 * request message req (req_len bytes; NULL is fine with 0), within timeout_ms, the answer's
 * message bounded by ENGINE_BODY_MAX. Returns 0 once an answer with a grpc-status came, whatever
 * that status (its meaning is the caller's, as engine_request's HTTP statuses); -errno with *err
 * for transport failures: connect, the peer refused (EPERM), timeout (ETIMEDOUT), too large
 * (EMSGSIZE), an HTTP status other than 200, no grpc-status, or a malformed frame (compressed,
 * length mismatch, no message or more than one with an OK status) (EPROTO); a libcurl without
 * HTTP/2 (the lean build's) is EPROTONOSUPPORT. */
int engine_grpc_call(const struct endpoint *ep, const char *method, const uint8_t *req, size_t req_len, long timeout_ms,
                     struct engine_grpc_response *ret, struct nsx_error *err);

void engine_grpc_response_done(struct engine_grpc_response *r);
DEFINE_STRUCT_CLEANUP_FUNC(struct engine_grpc_response, engine_grpc_response_done)

/* Pure: the one message of a unary answer's body (gRPC's length-prefixed framing: a flag byte, 0
 * for uncompressed, and a 4-byte big-endian length): its offset and length in body. -EPROTO with
 * *ret_why (a static phrase) when the body is not exactly one uncompressed message. */
int engine_grpc_unframe(const uint8_t *body, size_t len, size_t *ret_off, size_t *ret_len, const char **ret_why);

/* Pure: a grpc-message header's value (n bytes, percent-encoded as gRPC sends it) into buf,
 * decoded and NUL-terminated, cut to size, every byte outside printable ASCII replaced by '?'. */
void engine_grpc_message_decode(const char *value, size_t n, char *buf, size_t size);
