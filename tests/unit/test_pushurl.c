// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pushurl: Pyroscope ingest URLs and labels, target names, the retry
 * schedule, intervals; netaddr: --http listen addresses. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include "httpargs.h"
#include "netaddr.h"
#include "pushurl.h"

Test(pushurl, url_has_encoded_name_labels_and_window)
{
	struct pushurl_labels l = { "web-1", "hotspots.ml", "3.11.2" };
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(pushurl_build(&out, "http://127.0.0.1:4040", "shop.api", &l, 1700000000,
			      1700000015, 999), 0);
	cr_assert_str_eq(out.buf,
			 "http://127.0.0.1:4040/ingest?name=shop.api%7Bhost%3Dweb-1%2Cpython%3D"
			 "3.11.2%2Ctarget%3Dhotspots.ml%7D&from=1700000000&until=1700000015"
			 "&format=pprof&sampleRate=999&spyName=mlprof");
	strbuf_free(&out);
}

Test(pushurl, base_with_slash_or_ingest_and_odd_label_values)
{
	struct pushurl_labels l = { "h", "my app,{x}=1 ", "" };
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(pushurl_build(&out, "https://p.example/ingest/", "a", &l, 1, 2, 100), 0);
	cr_assert_str_eq(out.buf,
			 "https://p.example/ingest?name=a%7Bhost%3Dh%2Cpython%3Dunknown%2C"
			 "target%3Dmy_app__x__1_%7D&from=1&until=2&format=pprof&sampleRate=100"
			 "&spyName=mlprof");
	strbuf_reset(&out);
	cr_assert_eq(pushurl_build(&out, "http://h:1/prefix/", "a", &l, 1, 2, 100), 0);
	cr_assert(!strncmp(out.buf, "http://h:1/prefix/ingest?name=", 30));
	strbuf_free(&out);
}

Test(pushurl, app_and_url_validation)
{
	cr_assert(pushurl_app_valid("my.app-1_x"));
	cr_assert(!pushurl_app_valid(""));
	cr_assert(!pushurl_app_valid("a{b}"));
	cr_assert(!pushurl_app_valid("a b"));
	cr_assert(!pushurl_app_valid(NULL));
	cr_assert(pushurl_valid("http://127.0.0.1:4040"));
	cr_assert(pushurl_valid("https://pyroscope.internal/x"));
	cr_assert(!pushurl_valid("ftp://x"));
	cr_assert(!pushurl_valid("http://"));
	cr_assert(!pushurl_valid("http:///x"));
	cr_assert(!pushurl_valid("http://h/ingest?name=x"));
	cr_assert(!pushurl_valid(NULL));
}

static struct snap_proc proc(const char *comm, const char *cmdline, const char *ml_file)
{
	struct snap_proc p;

	memset(&p, 0, sizeof(p));
	p.comm = (char *)comm;
	p.cmdline = (char *)cmdline;
	p.ml_file = (char *)ml_file;
	return p;
}

Test(pushurl, target_names)
{
	char buf[64];
	struct snap_proc p;

	p = proc("python3.11", "/usr/bin/python3.11 -m mlpy run /tmp/x/hotspots.ml",
		 "/tmp/x/hotspots.ml");
	pushurl_target_name(&p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "hotspots.ml");
	p = proc("python3.11", "/usr/bin/python3.11 -u /srv/app/worker.py --fast", "");
	pushurl_target_name(&p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "worker.py");
	p = proc("python3.11", "python3.11 -m http.server 8000", "");
	pushurl_target_name(&p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "http.server");
	p = proc("sleep", "sleep 30", "");
	pushurl_target_name(&p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "sleep");
	p = proc("python3", "python3 -c pass", "");
	pushurl_target_name(&p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "python3");
	p = proc("", "", "");
	pushurl_target_name(&p, buf, sizeof(buf));
	cr_assert_str_eq(buf, "unknown");
	p = proc("python3", "python3 /a/very-long-script-name.py", "");
	pushurl_target_name(&p, buf, 8);
	cr_assert_str_eq(buf, "very-lo");
}

Test(pushurl, backoff_doubles_up_to_the_cap)
{
	cr_assert_eq(pushurl_backoff_ms(1, 500, 8000), 500);
	cr_assert_eq(pushurl_backoff_ms(2, 500, 8000), 1000);
	cr_assert_eq(pushurl_backoff_ms(3, 500, 8000), 2000);
	cr_assert_eq(pushurl_backoff_ms(5, 500, 8000), 8000);
	cr_assert_eq(pushurl_backoff_ms(6, 500, 8000), 8000);
	cr_assert_eq(pushurl_backoff_ms(1000000, 500, 8000), 8000);
	cr_assert_eq(pushurl_backoff_ms(0, 500, 8000), 500);
}

Test(pushurl, intervals)
{
	unsigned s = 0;

	cr_assert_eq(pushurl_parse_interval("15s", &s), 0);
	cr_assert_eq(s, 15);
	cr_assert_eq(pushurl_parse_interval("2m", &s), 0);
	cr_assert_eq(s, 120);
	cr_assert_eq(pushurl_parse_interval("1h", &s), 0);
	cr_assert_eq(s, 3600);
	cr_assert_eq(pushurl_parse_interval("30", &s), 0);
	cr_assert_eq(s, 30);
	cr_assert_eq(pushurl_parse_interval("0s", &s), -EINVAL);
	cr_assert_eq(pushurl_parse_interval("-5s", &s), -EINVAL);
	cr_assert_eq(pushurl_parse_interval("5x", &s), -EINVAL);
	cr_assert_eq(pushurl_parse_interval("25h", &s), -EINVAL);
	cr_assert_eq(pushurl_parse_interval("", &s), -EINVAL);
	cr_assert_eq(pushurl_parse_interval("99999999999999999999", &s), -EINVAL);
}

Test(netaddr, listen_addresses)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	char buf[64];

	cr_assert_eq(netaddr_parse("127.0.0.1:6060", &ss, &len), 0);
	cr_assert_eq(in4->sin_family, AF_INET);
	cr_assert_eq(ntohs(in4->sin_port), 6060);
	cr_assert_eq(len, sizeof(*in4));
	cr_assert_eq(netaddr_parse(":7070", &ss, &len), 0);
	inet_ntop(AF_INET, &in4->sin_addr, buf, sizeof(buf));
	cr_assert_str_eq(buf, "127.0.0.1");
	cr_assert_eq(netaddr_parse("8080", &ss, &len), 0);
	cr_assert_eq(ntohs(in4->sin_port), 8080);
	inet_ntop(AF_INET, &in4->sin_addr, buf, sizeof(buf));
	cr_assert_str_eq(buf, "127.0.0.1");
	cr_assert_eq(netaddr_parse("0.0.0.0:80", &ss, &len), 0);
	cr_assert_eq(netaddr_parse("[::1]:6060", &ss, &len), 0);
	cr_assert_eq(in6->sin6_family, AF_INET6);
	cr_assert_eq(ntohs(in6->sin6_port), 6060);
	cr_assert_eq(netaddr_parse("localhost:6060", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse("127.0.0.1:0", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse("127.0.0.1:65536", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse("127.0.0.1:", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse("127.0.0.1:60x", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse("::1:6060", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse("[::1]6060", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse("[zz]:6060", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse("", &ss, &len), -EINVAL);
	cr_assert_eq(netaddr_parse(NULL, &ss, &len), -EINVAL);
}

Test(httpargs, seconds)
{
	char msg[128];
	unsigned s = 0;

	cr_assert_eq(httpargs_seconds(NULL, &s, msg, sizeof(msg)), 0);
	cr_assert_eq(s, HTTPSRV_DEFAULT_SECONDS);
	cr_assert_eq(httpargs_seconds("", &s, msg, sizeof(msg)), 0);
	cr_assert_eq(s, HTTPSRV_DEFAULT_SECONDS);
	cr_assert_eq(httpargs_seconds("3", &s, msg, sizeof(msg)), 0);
	cr_assert_eq(s, 3);
	cr_assert_eq(httpargs_seconds("300", &s, msg, sizeof(msg)), 0);
	cr_assert_eq(s, 300);
	cr_assert_eq(httpargs_seconds("301", &s, msg, sizeof(msg)), -EINVAL);
	cr_assert_not_null(strstr(msg, "1 to 300"));
	cr_assert_eq(httpargs_seconds("0", &s, msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(httpargs_seconds("-1", &s, msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(httpargs_seconds("1.5", &s, msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(httpargs_seconds("abc", &s, msg, sizeof(msg)), -EINVAL);
	cr_assert_eq(httpargs_seconds("99999999999999999999999", &s, msg, sizeof(msg)), -EINVAL);
	cr_assert_not_null(strstr(msg, "bad seconds"));
}
