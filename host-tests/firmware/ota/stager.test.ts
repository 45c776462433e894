/*
 * Specification: staging and install over the real FlashOtaPort, NOR flash
 * model and simulated bootloader (in memory, so it runs in XS too).
 */

import { assert } from "../../support/assert";
import { fakePlatform, type FakePlatform } from "../../support/fakes";
import { OtaError } from "ota/errors";
import { ImageStager, readStaged, type StageOptions } from "ota/stager";
import { buildEspImage, sha256 } from "../../support/esp-image";
import { REJECTIONS } from "../../support/image-rejections";
import { toHex } from "util/hex";

function stager(p: FakePlatform): ImageStager {
	return new ImageStager({ ota: p.board.port, digests: p.digests, store: p.store, clock: p.clock, logger: p.logger });
}

function upload(s: ImageStager, image: Uint8Array, chunk = 1024, options: StageOptions = {}): string {
	try {
		s.begin(options);
		for (let i = 0; i < image.length; i += chunk) s.write(image.subarray(i, i + chunk));
		s.end();
		return "VALID";
	} catch (e) {
		if (e instanceof OtaError) return e.code;
		throw e;
	}
}

/** Everything a failed upload must leave alone. */
function snapshot(p: FakePlatform) {
	const port = p.board.port;
	const { offset } = p.board.layout.otadata;
	return {
		running: port.running().index,
		boot: port.bootSlot().index,
		states: port.slots().map((s) => port.slotState(s.index)),
		otadata: [...p.board.flash.read(offset, 0x2000)].join(","),
	};
}

const NEXT = (o = {}) => buildEspImage({ version: "1.3.0+ohxs", size: 40 * 1024, seed: 11, ...o });

describe("ota/stager", () => {
	it("stages a valid image into the other slot without changing the boot choice", () => {
		const p = fakePlatform("1.2.3+ohxs");
		const s = stager(p);
		const before = snapshot(p);
		const image = NEXT();
		assert.equal(upload(s, image, 1500, { expectedSha256: sha256(image), declaredSize: image.length }), "VALID");
		assert.equal(s.state, "VALID");
		assert.equal(s.status.slot, 1);
		assert.equal(s.status.image!.version, "1.3.0+ohxs");
		assert.deepEqual(snapshot(p), before, "running slot, boot choice and otadata unchanged");
		assert.deepEqual([...p.board.port.read(1, 0, image.length)], [...image]);
	});

	it("erases sector by sector just ahead of the data, never the whole slot up front", () => {
		const p = fakePlatform();
		const s = stager(p);
		p.board.flash.clearLog();
		assert.equal(upload(s, NEXT(), 1000), "VALID");
		const ops = p.board.flash.log;
		const slot = p.board.layout.slots[1];
		let highestWritten = slot.offset;
		for (const op of ops) {
			if (op.kind === "write") highestWritten = Math.max(highestWritten, op.offset + op.length);
			else assert.isBelow(op.offset, highestWritten + 0x1000, `erase at 0x${op.offset.toString(16)} is more than a sector ahead of the data`);
		}
		assert.equal(ops.filter((o) => o.kind === "erase").length, 10, "40 KiB = 10 sectors, each erased once");
		assert.equal(ops[0].kind, "erase");
	});

	it("installs a VALID image: otadata points at it with state NEW, and the next boot is PENDING_VERIFY", () => {
		const p = fakePlatform();
		const s = stager(p);
		assert.equal(upload(s, NEXT()), "VALID");
		assert.deepEqual(s.install(), { slot: 1, version: "1.3.0+ohxs" });
		assert.equal(p.board.port.bootSlot().index, 1);
		assert.equal(p.board.port.slotState(1), "NEW");
		const boot = p.board.boot();
		assert.equal(boot.slot, 1);
		assert.equal(boot.version, "1.3.0+ohxs");
		assert.equal(p.board.port.runningState(), "PENDING_VERIFY");
	});

	it("refuses to install without a VALID image (ota_no_valid_image)", () => {
		const p = fakePlatform();
		assert.throws(() => stager(p).install(), OtaError, /upload one first/);
		try {
			stager(p).install();
		} catch (e) {
			assert.equal((e as OtaError).code, "ota_no_valid_image");
		}
	});

	it("refuses to start while the running image is PENDING_VERIFY (ota_pending_verify)", () => {
		const p = fakePlatform();
		const s = stager(p);
		upload(s, NEXT());
		s.install();
		p.board.boot();
		const s2 = new ImageStager({ ota: p.board.port, digests: p.digests, store: p.store, clock: p.clock });
		assert.equal(upload(s2, buildEspImage({ version: "1.4.0+ohxs", size: 8192 })), "ota_pending_verify");
	});

	it("refuses a second upload while one is being received (ota_busy)", () => {
		const s = stager(fakePlatform());
		s.begin();
		assert.throws(() => s.begin(), OtaError, /Another update/);
	});

	it("leaves the slot unbootable when the upload is abandoned (UPLOAD_ERROR)", () => {
		const p = fakePlatform();
		const s = stager(p);
		const image = NEXT();
		s.begin();
		s.write(image.subarray(0, 9000));
		s.abort("the client went away");
		assert.equal(s.state, "UPLOAD_ERROR");
		assert.equal(s.status.error!.code, "ota_aborted");
		assert.equal(p.board.port.read(1, 0, 1)[0], 0xff, "the slot's first sector is erased");
		assert.equal(p.board.boot().slot, 0);
	});

	it("discards a staged image so it cannot be installed later", () => {
		const p = fakePlatform();
		const s = stager(p);
		upload(s, NEXT());
		s.discard();
		assert.equal(s.state, "IDLE");
		assert.equal(p.board.port.read(1, 0, 1)[0], 0xff);
	});

	describe("rejections leave the running slot, the boot choice and otadata unchanged", () => {
		for (const c of REJECTIONS) {
			it(`${c.name}: ${c.code}`, () => {
				const p = fakePlatform("1.2.3+ohxs");
				const s = stager(p);
				const before = snapshot(p);
				p.board.flash.clearLog();
				const options: StageOptions = { declaredSize: c.options?.declaredSize, expectedSha256: c.options?.expectedSha256 };
				const image = c.image();
				if (c.options?.runningSecureVersion) {
					// The running image of this board has secure_version 1.
					p.board.flashImage(0, buildEspImage({ version: "1.2.3+ohxs", size: 4096, secureVersion: 1 }));
					p.board.flash.clearLog();
				}
				const code = upload(s, image, 1024, options);
				assert.equal(code, c.code);
				assert.equal(s.state, "INVALID");
				assert.equal(s.status.error!.code, c.code);
				assert.deepEqual(snapshot(p), before);
				const policy = c.code === "image_downgrade" || c.code === "image_secure_version_lower";
				if (c.early) assert.lengthOf(p.board.flash.log, 0, "nothing erased or written before the first 288 bytes passed");
				else if (policy) assert.lengthOf(p.board.flash.log, 0, "known from the first 288 bytes: the whole file is checked, the slot never erased or written");
				else assert.equal(p.board.port.read(1, 0, 1)[0], 0xff, "the partly written slot is left unbootable");
				assert.equal(p.board.boot().slot, 0, "the next boot still starts the running image");
			});
		}
	});

	describe("a staged image survives a restart", () => {
		/** Upload NEXT as image 7 and come back as after a restart: a new stager over the same flash and store. */
		function stagedThenRestarted(options: StageOptions = {}) {
			const p = fakePlatform("1.2.3+ohxs");
			const image = NEXT();
			const first = stager(p);
			first.begin(options);
			for (let i = 0; i < image.length; i += 1460) first.write(image.subarray(i, i + 1460));
			first.end(7);
			p.board.boot(); // the restart: the bootloader still starts slot 0
			return { p, image, again: stager(p) };
		}

		it("remembers the VALID image (slot, size, SHA-256, version, id) and verifies it again after the restart", () => {
			const { p, image, again } = stagedThenRestarted();
			assert.deepEqual(readStaged(p.store), { slot: 1, size: image.length, sha256: toHex(sha256(image)), version: "1.3.0+ohxs", id: 7 });
			const restored = again.restoreStaged()!;
			assert.equal(restored.id, 7);
			assert.equal(restored.image.version, "1.3.0+ohxs");
			assert.equal(again.state, "VALID");
			again.install();
			assert.equal(p.board.boot().slot, 1, "and installs from there");
			assert.isUndefined(readStaged(p.store), "installing forgets the record");
		});

		it("drops an image whose bytes changed since, says so, and forgets it", () => {
			const { p, again } = stagedThenRestarted();
			const at = p.board.layout.slots[1].offset + 9000;
			(p.board.flash.storage as unknown as { bytes: Uint8Array }).bytes[at] ^= 0x40;
			assert.isUndefined(again.restoreStaged());
			assert.equal(again.state, "IDLE");
			assert.isUndefined(readStaged(p.store));
			assert.isTrue(p.logger.has("the staged update 1.3.0+ohxs was dropped"), p.logger.lines.map((l) => l.message).join("\n"));
		});

		it("drops an image that became a downgrade (a newer firmware now runs), unless the owner asked for the older one", () => {
			for (const allowDowngrade of [false, true]) {
				const { p, again } = stagedThenRestarted({ allowDowngrade });
				p.board.flashImage(0, buildEspImage({ version: "2.0.0+ohxs", size: 4096 }));
				p.board.boot();
				const restored = again.restoreStaged();
				assert.equal(restored !== undefined, allowDowngrade, `allowDowngrade ${allowDowngrade}`);
				if (!allowDowngrade) assert.isTrue(p.logger.has("image_downgrade"));
			}
		});

		it("forgets the record on discard and on a new upload", () => {
			const a = stagedThenRestarted();
			a.again.restoreStaged();
			a.again.discard();
			assert.isUndefined(readStaged(a.p.store));
			const b = stagedThenRestarted();
			b.again.begin();
			assert.isUndefined(readStaged(b.p.store), "a new upload replaces the staged image");
		});
	});
});
