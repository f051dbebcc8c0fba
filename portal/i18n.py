"""Bahasa Indonesia by default, English on request: the portal's two languages.

The language is chosen by ``?lang=`` (which also sets a cookie, so the choice
sticks while the visitor browses) or by that cookie; nothing else (not
Accept-Language) changes it, so a shared link shows the same page to everyone.
Messages live in one catalogue per language, keyed by a short id; a missing
translation falls back to Indonesian, and a test checks that both catalogues
have the same keys.
"""

from __future__ import annotations

from typing import Final

from fastapi import Request

LANGUAGES: Final = ("id", "en")
DEFAULT_LANGUAGE: Final = "id"
COOKIE: Final = "terang_lang"

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "id": {
        "site.name": "Terang",
        "site.tagline": "Anggaran dan pengadaan daerah yang dapat diverifikasi siapa saja.",
        "nav.home": "Beranda",
        "nav.budget": "Anggaran",
        "nav.tenders": "Tender",
        "nav.vendors": "Penyedia",
        "nav.verify": "Verifikasi berkas",
        "nav.skip": "Langsung ke isi",
        "lang.switch": "English",
        "footer.api": "API terbuka",
        "footer.log": "Log transparansi",
        "footer.key": "Kunci verifikasi log",
        "home.entries": "Entri tercatat",
        "home.checkpoint": "Checkpoint terbaru",
        "home.no_checkpoint": "Belum ada checkpoint.",
        # -- verification in the browser (portal/static/verify.js, /verifikasi) --
        "verify.button": "Verifikasi di peramban",
        "verify.intro": (
            "Periksa catatan ini sendiri: peramban Anda mengunduh bundel buktinya dan memeriksa "
            "tanda tangan serta bukti Merkle-nya dengan WebCrypto."
        ),
        "verify.passed": "berhasil",
        "verify.failed": "gagal",
        "verify.note": "catatan",
        "verify.entry": "entri {seq}",
        "verify.working": "Memeriksa di peramban Anda…",
        "verify.fetch_failed": "Bundel bukti tidak dapat diunduh: {reason}",
        "verify.no_webcrypto": (
            "Peramban ini tidak menyediakan WebCrypto di halaman ini (perlu HTTPS). Unduh berkasnya"
            " dan periksa dengan terang verify."
        ),
        "verify.result.ok_bundle": (
            "Terverifikasi: setiap entri catatan ini tercatat di log dan ditandatangani pemilik "
            "kuncinya."
        ),
        "verify.result.ok_receipt": (
            "Terverifikasi: log memuat entri dengan hash ini pada nomor urut tersebut."
        ),
        "verify.result.fail": "Verifikasi GAGAL. Jangan percayai data ini.",
        "verify.against": "Diperiksa terhadap checkpoint ini:",
        "verify.origin": "Asal log (origin)",
        "verify.size": "Jumlah entri (ukuran pohon)",
        "verify.root": "Hash akar (SHA-256, hex)",
        "verify.log_key": "Kunci verifikasi log yang dipercaya",
        "verify.check.log_key": "Kunci verifikasi log terbaca: {key}",
        "verify.check.document": "Berkas ini bundel bukti catatan {subject}",
        "verify.check.checkpoint": (
            "Checkpoint ditandatangani kunci log (Ed25519): {origin}, ukuran {size}"
        ),
        "verify.check.witness": "Saksi {name} ikut menandatangani checkpoint ini pada {time}",
        "verify.check.witness_none": (
            "Tidak ada tanda tangan saksi yang kuncinya dikenal halaman ini ({known} kunci saksi "
            "dikenal)"
        ),
        "verify.check.witness_unknown": (
            "{count} tanda tangan lain tidak diperiksa (kunci tidak dikenal: {names})"
        ),
        "verify.check.inclusion": (
            "{count} entri termuat dalam pohon Merkle checkpoint (bukti inklusi RFC 6962)"
        ),
        "verify.check.entry_format": (
            "{count} entri berbentuk kanonik (RFC 8785) dan memuat nomor urutnya sendiri"
        ),
        "verify.check.registration": (
            "{count} pendaftaran kunci penandatangan mendaftarkan kunci yang disebutnya"
        ),
        "verify.check.subject": "{count} entri membahas {subject}",
        "verify.check.signature": (
            "{count} tanda tangan pernyataan (Ed25519) sah di bawah kunci terdaftar "
            "penandatangannya"
        ),
        "verify.check.truncated": (
            "Catatan ini punya lebih banyak entri; bundel hanya memuat {count} entri pertama"
        ),
        "verify.check.bundle_limits": (
            "Bundel saja tidak dapat menunjukkan bahwa penandatangan memegang peran yang diperlukan"
            " saat itu, atau bahwa tidak ada yang dicatat di antaranya; terang verify memutar ulang"
            " seluruh log untuk itu."
        ),
        "verify.check.receipt": "Tanda terima untuk entri {seq}, hash daun {leaf}",
        "verify.check.receipt_inclusion": (
            "Entri {seq} termuat dalam pohon Merkle checkpoint (bukti inklusi RFC 6962)"
        ),
        "verify.check.receipt_limits": (
            "Tanda terima tidak memuat entrinya sendiri: simpan byte entri Anda, atau periksa "
            "bundel catatannya."
        ),
        "verify.fail.log_key": "Kunci verifikasi log tidak sah",
        "verify.fail.witness_key": "Kunci saksi tidak sah",
        "verify.fail.document": "Berkas tidak berbentuk semestinya",
        "verify.fail.checkpoint": "Checkpoint tidak sah",
        "verify.fail.witness": "Tanda tangan saksi tidak sah",
        "verify.fail.inclusion": "Bukti inklusi Merkle gagal",
        "verify.fail.entry_format": "Entri tidak berbentuk kanonik yang sah",
        "verify.fail.registration": "Pendaftaran kunci tidak sah",
        "verify.fail.subject": "Entri membahas catatan lain",
        "verify.fail.signature": "Tanda tangan pernyataan tidak sah",
        "verify.fail.unexpected": "Berkas tidak dapat diperiksa",
        "verify.drop.title": "Verifikasi berkas bukti",
        "verify.drop.intro": (
            "Pilih atau jatuhkan bundel bukti catatan (.json) atau tanda terima (.json atau .tlog-"
            "proof) yang telah Anda unduh. Pemeriksaan berjalan sepenuhnya di peramban Anda: berkas"
            " tidak dikirim ke mana pun, dan halaman ini tidak membuat permintaan jaringan setelah "
            "dimuat."
        ),
        "verify.drop.file": "Berkas bukti",
        "verify.drop.zone": "Jatuhkan berkas di sini, atau pilih dengan tombol di atas.",
        "verify.drop.key": "Kunci verifikasi log",
        "verify.drop.key_hint": (
            "Diisi dengan kunci log ini. Bandingkan dengan kunci yang diumumkan pemerintah daerah "
            "di tempat lain (situs resmi, pengumuman cetak), atau tempel kunci itu di sini."
        ),
        "verify.drop.witness_keys": "Kunci saksi (satu per baris, boleh kosong)",
        "verify.drop.leaf": (
            "Hash daun entri (hex), hanya untuk berkas .tlog-proof tanpa tanda terima"
        ),
        "verify.drop.submit": "Verifikasi",
        "verify.drop.no_file": "Pilih berkas terlebih dahulu.",
        "verify.drop.unreadable": "Berkas tidak dapat dibaca: {reason}",
        "verify.drop.noscript": (
            "Pemeriksaan berjalan di peramban dan memerlukan JavaScript. Tanpa JavaScript, gunakan "
            "terang verify atau docs/examples/verify_log.py."
        ),
    },
    "en": {
        "site.name": "Terang",
        "site.tagline": "Regional budgets and procurement that anyone can verify.",
        "nav.home": "Home",
        "nav.budget": "Budget",
        "nav.tenders": "Tenders",
        "nav.vendors": "Vendors",
        "nav.verify": "Verify a file",
        "nav.skip": "Skip to content",
        "lang.switch": "Bahasa Indonesia",
        "footer.api": "Open API",
        "footer.log": "Transparency log",
        "footer.key": "Log verifier key",
        "home.entries": "Entries logged",
        "home.checkpoint": "Latest checkpoint",
        "home.no_checkpoint": "No checkpoint yet.",
        # -- verification in the browser (portal/static/verify.js, /verifikasi) --
        "verify.button": "Verify in the browser",
        "verify.intro": (
            "Check this record yourself: your browser downloads its proof bundle and checks its "
            "signatures and Merkle proofs with WebCrypto."
        ),
        "verify.passed": "passed",
        "verify.failed": "failed",
        "verify.note": "note",
        "verify.entry": "entry {seq}",
        "verify.working": "Checking in your browser…",
        "verify.fetch_failed": "Could not download the proof bundle: {reason}",
        "verify.no_webcrypto": (
            "This browser offers no WebCrypto on this page (it needs HTTPS). Download the file and "
            "check it with terang verify."
        ),
        "verify.result.ok_bundle": (
            "Verified: every entry of this record is in the log and signed by its key's holder."
        ),
        "verify.result.ok_receipt": (
            "Verified: the log holds an entry with this hash at that sequence number."
        ),
        "verify.result.fail": "Verification FAILED. Do not trust this data.",
        "verify.against": "Checked against this checkpoint:",
        "verify.origin": "Log origin",
        "verify.size": "Entries (tree size)",
        "verify.root": "Root hash (SHA-256, hex)",
        "verify.log_key": "Trusted log verifier key",
        "verify.check.log_key": "Log verifier key is well-formed: {key}",
        "verify.check.document": "This is the proof bundle of record {subject}",
        "verify.check.checkpoint": (
            "Checkpoint signed by the log's key (Ed25519): {origin}, size {size}"
        ),
        "verify.check.witness": "Witness {name} cosigned this checkpoint at {time}",
        "verify.check.witness_none": (
            "No cosignature by a witness this page knows ({known} witness keys known)"
        ),
        "verify.check.witness_unknown": (
            "{count} other signature(s) not checked (unknown keys: {names})"
        ),
        "verify.check.inclusion": (
            "{count} entries are in the checkpoint's Merkle tree (RFC 6962 inclusion proofs)"
        ),
        "verify.check.entry_format": (
            "{count} entries are canonical (RFC 8785) and carry their own sequence numbers"
        ),
        "verify.check.registration": "{count} signer registrations register the keys they name",
        "verify.check.subject": "{count} entries are about {subject}",
        "verify.check.signature": (
            "{count} statement signatures (Ed25519) verify under their signers' registered keys"
        ),
        "verify.check.truncated": (
            "This record has more entries; the bundle holds only the first {count}"
        ),
        "verify.check.bundle_limits": (
            "A bundle alone cannot show that a signer held the needed role at the time, or that "
            "nothing was logged in between; terang verify replays the whole log for that."
        ),
        "verify.check.receipt": "Receipt for entry {seq}, leaf hash {leaf}",
        "verify.check.receipt_inclusion": (
            "Entry {seq} is in the checkpoint's Merkle tree (RFC 6962 inclusion proof)"
        ),
        "verify.check.receipt_limits": (
            "A receipt does not contain the entry itself: keep your entry bytes, or check the "
            "record's bundle."
        ),
        "verify.fail.log_key": "The log verifier key is not valid",
        "verify.fail.witness_key": "A witness key is not valid",
        "verify.fail.document": "The file is malformed",
        "verify.fail.checkpoint": "The checkpoint does not verify",
        "verify.fail.witness": "A witness cosignature does not verify",
        "verify.fail.inclusion": "Merkle inclusion proof failed",
        "verify.fail.entry_format": "Entry is not a valid canonical entry",
        "verify.fail.registration": "Key registration is not valid",
        "verify.fail.subject": "Entry is about another record",
        "verify.fail.signature": "Statement signature does not verify",
        "verify.fail.unexpected": "The file could not be checked",
        "verify.drop.title": "Verify a proof file",
        "verify.drop.intro": (
            "Choose or drop a record's proof bundle (.json) or a receipt (.json or .tlog-proof) you"
            " downloaded. The check runs entirely in your browser: the file is sent nowhere, and "
            "this page makes no network request once loaded."
        ),
        "verify.drop.file": "Proof file",
        "verify.drop.zone": "Drop the file here, or choose it with the button above.",
        "verify.drop.key": "Log verifier key",
        "verify.drop.key_hint": (
            "Filled in with this log's key. Compare it with the key the regional government "
            "publishes elsewhere (official site, printed notice), or paste that key here."
        ),
        "verify.drop.witness_keys": "Witness keys (one per line, optional)",
        "verify.drop.leaf": "Entry leaf hash (hex), only for a bare .tlog-proof file",
        "verify.drop.submit": "Verify",
        "verify.drop.no_file": "Choose a file first.",
        "verify.drop.unreadable": "The file could not be read: {reason}",
        "verify.drop.noscript": (
            "The check runs in the browser and needs JavaScript. Without it, use terang verify or "
            "docs/examples/verify_log.py."
        ),
    },
}


def language_of(request: Request) -> str:
    """The language to render in: ``?lang=``, else the cookie, else Indonesian."""
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def translator(language: str) -> dict[str, str]:
    """The catalogue for ``language`` with Indonesian filling any gap."""
    merged = dict(CATALOGUE[DEFAULT_LANGUAGE])
    merged.update(CATALOGUE.get(language, {}))
    return merged
