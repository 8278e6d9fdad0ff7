/*
 * tox-rtt: the Tox side of `npm run bench -- tox`. One process, one thread (as the Parley bench runs
 * Alice and Bob in one Node process): `helpers` Tox DHT nodes (the first is everyone's bootstrap) plus Alice and Bob, all UDP on
 * loopback (IPv6, LAN discovery, hole punching and TCP relays off; every tox_bootstrap() names
 * 127.0.0.1). Alice sends Bob a friend request, Bob accepts; once their friend connection is up
 * (direct UDP), Alice sends `count` messages of `size` bytes one at a time and Bob echoes each back.
 *
 * The loop calls tox_iterate() on every instance and then sleeps `poll_us` microseconds, or, with
 * poll_us = 0, what tox_iteration_interval() asks for (what a Tox client does).
 *
 * usage: tox-rtt <count> <size> <poll_us> <helpers>
 * prints one JSON line: {"setup_ms":…, "friend_ms":…, "cpu_ms": CPU over the measured round trips, "samples_ms":[…]}
 * On failure prints {"error":"…"} and exits 1.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <tox/tox.h>

#define MAX_HELPERS 16

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

static void fail(const char *why) {
  printf("{\"error\":\"%s\"}\n", why);
  exit(1);
}

static Tox *make_tox(uint16_t port) {
  struct Tox_Options *o = tox_options_new(NULL);
  tox_options_set_ipv6_enabled(o, false);
  tox_options_set_udp_enabled(o, true);
  tox_options_set_local_discovery_enabled(o, false);
  tox_options_set_hole_punching_enabled(o, false);
  tox_options_set_dht_announcements_enabled(o, false);
  tox_options_set_start_port(o, port);
  tox_options_set_end_port(o, (uint16_t)(port + 200));
  tox_options_set_tcp_port(o, 0);
  Tox_Err_New err;
  Tox *t = tox_new(o, &err);
  tox_options_free(o);
  if (!t) fail("tox_new failed");
  return t;
}

static void bootstrap_to(Tox *t, Tox *to) {
  uint8_t dht_id[TOX_PUBLIC_KEY_SIZE];
  tox_self_get_dht_id(to, dht_id);
  Tox_Err_Get_Port perr;
  uint16_t port = tox_self_get_udp_port(to, &perr);
  if (!tox_bootstrap(t, "127.0.0.1", port, dht_id, NULL)) fail("tox_bootstrap failed");
}

/* What the callbacks share. */
static struct {
  Tox *alice, *bob;
  bool requested, echo_back;
  Tox_Connection alice_sees_bob, bob_sees_alice;
  uint32_t bob_friend; /* Bob's number for Alice */
  size_t got;          /* bytes of the last message Alice received */
} st;

static void on_request(Tox *t, const uint8_t *pk, const uint8_t *msg, size_t len, void *ud) {
  (void)msg; (void)len; (void)ud;
  Tox_Err_Friend_Add err;
  st.bob_friend = tox_friend_add_norequest(t, pk, &err);
  st.requested = true;
}

static void on_status(Tox *t, uint32_t f, Tox_Connection c, void *ud) {
  (void)f; (void)ud;
  if (t == st.alice) st.alice_sees_bob = c;
  else st.bob_sees_alice = c;
}

static void on_message(Tox *t, uint32_t f, Tox_Message_Type type, const uint8_t *msg, size_t len, void *ud) {
  (void)ud;
  if (t == st.bob) tox_friend_send_message(t, f, type, msg, len, NULL); /* echo */
  else st.got = len;
}

static Tox *all[MAX_HELPERS + 2];
static int n_all;

static void step(long poll_us) {
  uint32_t wait = 1000;
  for (int i = 0; i < n_all; i++) {
    tox_iterate(all[i], NULL);
    uint32_t w = tox_iteration_interval(all[i]);
    if (w < wait) wait = w;
  }
  usleep(poll_us > 0 ? (useconds_t)poll_us : (useconds_t)wait * 1000);
}

static bool wait_for(bool (*cond)(void), double timeout_ms, long poll_us) {
  double end = now_ms() + timeout_ms;
  while (now_ms() < end) {
    if (cond()) return true;
    step(poll_us);
  }
  return cond();
}

static bool friends_udp(void) {
  return st.alice_sees_bob == TOX_CONNECTION_UDP && st.bob_sees_alice == TOX_CONNECTION_UDP;
}
static bool got_echo(void) { return st.got > 0; }

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 1000;
  int size = argc > 2 ? atoi(argv[2]) : 200;
  long poll_us = argc > 3 ? atol(argv[3]) : 1000;
  int helpers = argc > 4 ? atoi(argv[4]) : 4;
  if (helpers < 1 || helpers > MAX_HELPERS || size < 1 || size > TOX_MAX_MESSAGE_LENGTH) fail("bad arguments");

  double t0 = now_ms();
  for (int i = 0; i < helpers; i++) all[n_all++] = make_tox((uint16_t)(34000 + 200 * i));
  st.alice = all[n_all++] = make_tox(38000);
  st.bob = all[n_all++] = make_tox(38400);
  for (int i = 1; i < n_all; i++) bootstrap_to(all[i], all[0]);
  for (int i = 0; i < n_all; i++) {
    tox_callback_friend_connection_status(all[i], on_status);
    tox_callback_friend_message(all[i], on_message);
  }
  tox_callback_friend_request(st.bob, on_request);
  double setup_ms = now_ms() - t0;

  /* Friend request from Alice, accepted by Bob, until both see a direct UDP connection. */
  uint8_t bob_address[TOX_ADDRESS_SIZE];
  tox_self_get_address(st.bob, bob_address);
  const char *hello = "bench friend request";
  Tox_Err_Friend_Add ferr;
  uint32_t alice_friend = tox_friend_add(st.alice, bob_address, (const uint8_t *)hello, strlen(hello), &ferr);
  if (ferr != TOX_ERR_FRIEND_ADD_OK) fail("tox_friend_add failed");
  double t1 = now_ms();
  if (!wait_for(friends_udp, 120000, 1000)) fail(st.requested ? "friend connection never became UDP" : "friend request never arrived");
  double friend_ms = now_ms() - t1;

  uint8_t *msg = malloc((size_t)size);
  memset(msg, 'x', (size_t)size);
  double *samples = calloc((size_t)count, sizeof(double));
  double cpu0 = 0;
  for (int i = -20; i < count; i++) { /* 20 warm-up round trips */
    if (i == 0) cpu0 = cpu_ms();
    st.got = 0;
    double s = now_ms();
    Tox_Err_Friend_Send_Message serr;
    tox_friend_send_message(st.alice, alice_friend, TOX_MESSAGE_TYPE_NORMAL, msg, (size_t)size, &serr);
    if (serr != TOX_ERR_FRIEND_SEND_MESSAGE_OK) fail("tox_friend_send_message failed");
    if (!wait_for(got_echo, 10000, poll_us)) fail("no echo within 10 s");
    if (i >= 0) samples[i] = now_ms() - s;
  }
  double cpu = cpu_ms() - cpu0;
  printf("{\"version\":\"%u.%u.%u\",\"helpers\":%d,\"poll_us\":%ld,\"setup_ms\":%.3f,\"friend_ms\":%.3f,\"cpu_ms\":%.3f,\"connection\":\"udp\",\"samples_ms\":[",
         tox_version_major(), tox_version_minor(), tox_version_patch(), helpers, poll_us, setup_ms, friend_ms, cpu);
  for (int i = 0; i < count; i++) printf("%s%.4f", i ? "," : "", samples[i]);
  printf("]}\n");
  for (int i = 0; i < n_all; i++) tox_kill(all[i]);
  return 0;
}
