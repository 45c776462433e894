/* Specification of the captive DNS codec (modules/device/dns): RFC 1035 messages, A answers for every name. */

import { assert } from "../../support/assert";
import {
	answerDatagram,
	buildDnsAnswer,
	buildDnsQuery,
	ipv4Bytes,
	parseDnsAnswers,
	parseDnsQuery,
	DnsFormatError,
	DNS_TYPE_A,
	DNS_TYPE_AAAA,
	RCODE_FORMERR,
	RCODE_NOERROR,
	RCODE_NOTIMP,
	ANSWER_TTL_S,
} from "device/dns";

describe("device/dns", () => {
	it("parses a query for openhaldex.local (id, recursion desired, one A question, lower-cased)", () => {
		const q = parseDnsQuery(buildDnsQuery(0x1234, "OpenHaldex.LOCAL"))!;
		assert.equal(q.id, 0x1234);
		assert.isTrue(q.recursionDesired);
		assert.deepEqual(q.questions, [{ name: "openhaldex.local", type: DNS_TYPE_A, class: 1 }]);
	});

	it("answers an A query for any name with the board's address, TTL 60 s, authoritative", () => {
		for (const name of ["openhaldex.local", "connectivitycheck.gstatic.com", "captive.apple.com"]) {
			const answer = answerDatagram(buildDnsQuery(7, name), "192.168.4.1")!;
			const parsed = parseDnsAnswers(answer);
			assert.equal(parsed.id, 7);
			assert.equal(parsed.rcode, RCODE_NOERROR);
			assert.deepEqual(parsed.answers, [{ name, address: "192.168.4.1", ttl: ANSWER_TTL_S }]);
			assert.equal(answer[2] & 0x84, 0x84, "QR and AA set");
		}
	});

	it("answers AAAA with NOERROR and no record, so the phone asks for A", () => {
		const parsed = parseDnsAnswers(answerDatagram(buildDnsQuery(9, "openhaldex.local", DNS_TYPE_AAAA), "192.168.4.1")!);
		assert.equal(parsed.rcode, RCODE_NOERROR);
		assert.deepEqual(parsed.answers, []);
	});

	it("encodes the exact bytes of a one-question answer", () => {
		const bytes = buildDnsAnswer({ id: 1, opcode: 0, recursionDesired: true, questions: [{ name: "a.b", type: 1, class: 1 }] }, "10.0.0.5");
		assert.deepEqual(
			Array.from(bytes),
			[0, 1, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0, 1, 97, 1, 98, 0, 0, 1, 0, 1, 1, 97, 1, 98, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 5],
		);
	});

	it("follows a compression pointer in a question name", () => {
		// header, then "x" at 12 pointing back is impossible; build: question 1 "local", question 2 "openhaldex" + pointer to 12
		const msg = [
			0,
			5,
			1,
			0,
			0,
			2,
			0,
			0,
			0,
			0,
			0,
			0,
			5,
			108,
			111,
			99,
			97,
			108,
			0,
			0,
			1,
			0,
			1,
			10,
			...Array.from("openhaldex", (c) => c.charCodeAt(0)),
			0xc0,
			12,
			0,
			1,
			0,
			1,
		];
		const q = parseDnsQuery(Uint8Array.from(msg))!;
		assert.deepEqual(
			q.questions.map((x) => x.name),
			["local", "openhaldex.local"],
		);
	});

	it("refuses a pointer loop and a forward pointer with FORMERR", () => {
		const loop = Uint8Array.from([0, 3, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
		assert.throws(() => parseDnsQuery(loop), DnsFormatError);
		assert.equal(parseDnsAnswers(answerDatagram(loop, "192.168.4.1")!).rcode, RCODE_FORMERR);
	});

	it("answers FORMERR to a truncated question and nothing to a message shorter than a header", () => {
		const cut = buildDnsQuery(3, "openhaldex.local").slice(0, 20);
		const r = answerDatagram(cut, "192.168.4.1")!;
		assert.equal(parseDnsAnswers(r).id, 3);
		assert.equal(parseDnsAnswers(r).rcode, RCODE_FORMERR);
		assert.isUndefined(answerDatagram(new Uint8Array(5), "192.168.4.1"));
	});

	it("never answers a response (QR set), which would make two responders ping-pong", () => {
		const response = buildDnsAnswer(parseDnsQuery(buildDnsQuery(4, "x.y"))!, "1.2.3.4");
		assert.isUndefined(answerDatagram(response, "192.168.4.1"));
	});

	it("answers another opcode with NOTIMP", () => {
		const msg = buildDnsQuery(8, "x.y");
		msg[2] |= 2 << 3; // opcode STATUS
		assert.equal(parseDnsAnswers(answerDatagram(msg, "192.168.4.1")!).rcode, RCODE_NOTIMP);
	});

	it("parses dotted IPv4 addresses and refuses anything else", () => {
		assert.deepEqual(Array.from(ipv4Bytes("192.168.4.1")!), [192, 168, 4, 1]);
		for (const bad of ["256.1.1.1", "1.2.3", "a.b.c.d", "1.2.3.4.5", ""]) assert.isUndefined(ipv4Bytes(bad), bad);
		assert.throws(() => buildDnsAnswer({ id: 1, opcode: 0, recursionDesired: false, questions: [] }, "::1"), RangeError);
	});
});
