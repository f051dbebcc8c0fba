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
        "verify.result.ok_checkpoint": (
            "Terverifikasi: checkpoint ini ditandatangani kunci log yang Anda percayai."
        ),
        "verify.check.checkpoint_limits": (
            "Checkpoint saja hanya menunjukkan kepala pohon yang ditandatangani log; bandingkan "
            "ukuran dan hash akarnya dengan salinan lain (saksi, pemeriksa lain) untuk mengetahui "
            "apakah semua orang diperlihatkan log yang sama."
        ),
        "verify.identity.ran": (
            "Pemeriksaan ini menjalankan verify.js dengan SHA-256 {hash}, dihitung di peramban "
            "Anda dari berkas yang dimuat halaman ini."
        ),
        "verify.identity.unknown": (
            "SHA-256 verify.js yang dijalankan tidak dapat dihitung di halaman ini."
        ),
        "verify.identity.standalone": (
            "Verifikator mandiri log ini (terang-verifier.html, SHA-256 {html}) memuat verify.js "
            "SHA-256 {embedded}."
        ),
        "verify.identity.same": "Kodenya sama dengan yang baru dijalankan di sini.",
        "verify.identity.differs": (
            "PERHATIAN: kode itu BERBEDA dari verify.js yang baru dijalankan di sini."
        ),
        "verify.identity.advice": (
            "Server ini menyajikan halaman dan skripnya sendiri, jadi angka di atas berasal dari "
            "server yang Anda periksa. Untuk pemeriksaan yang tidak bergantung padanya, simpan "
            "verifikator mandiri sekali, cocokkan SHA-256-nya dengan yang diterbitkan di "
            "dokumentasi Terang, lalu buka dari disk Anda."
        ),
        "verify.identity.download": "Unduh verifikator mandiri",
        "verify.drop.standalone_title": "Verifikator yang tidak dapat ditukar operator",
        "verify.drop.standalone": (
            "Halaman ini dan skripnya berasal dari server yang Anda periksa. Verifikator mandiri "
            "adalah kode yang sama dalam satu berkas HTML: simpan sekali, cocokkan SHA-256-nya "
            "dengan yang diterbitkan di dokumentasi Terang, lalu buka dari disk Anda untuk "
            "memeriksa log Terang mana pun."
        ),
        # -- the standalone verifier (portal/standalone_verifier.py, terang-verifier.html) --
        "verifier.title": "Verifikator mandiri Terang",
        "verifier.language_name": "Bahasa Indonesia",
        "verifier.intro": (
            "Halaman ini memeriksa bundel bukti catatan, tanda terima (.json atau .tlog-proof) dan"
            " checkpoint dari log Terang mana pun. Seluruh kodenya ada di dalam berkas ini: halaman"
            " tidak memuat apa pun, dan satu-satunya permintaan jaringan yang dibuatnya adalah "
            "alamat yang Anda ketik sendiri."
        ),
        "verifier.save": (
            "Simpan berkas ini sekali, cocokkan SHA-256-nya (sha256sum terang-verifier.html) dengan"
            " yang diterbitkan di dokumentasi Terang, lalu buka dari disk Anda setiap kali."
        ),
        "verifier.keys": "Kunci yang Anda percayai",
        "verifier.key_hint": (
            "Tempel kunci verifikasi log yang Anda peroleh dari tempat lain (situs resmi pemerintah"
            " daerah, pengumuman cetak, operator saksi), bentuknya nama+idkunci+base64. Halaman ini"
            " tidak memercayai kunci apa pun dengan sendirinya."
        ),
        "verifier.what": "Yang diperiksa",
        "verifier.what_hint": (
            "Pilih berkas, tempel teksnya, atau ketik alamatnya: bundel dari "
            "/api/v1/records/<subjek>/bundle, tanda terima, .tlog-proof, atau /log/checkpoint."
        ),
        "verifier.file": "Berkas bukti",
        "verifier.verify_file": "Verifikasi berkas",
        "verifier.text": "Atau tempel teksnya",
        "verifier.verify_text": "Verifikasi teks",
        "verifier.url": "Atau alamat (URL) untuk diunduh",
        "verifier.url_hint": (
            "Hanya alamat ini yang diminta, tanpa cookie dan tanpa mengikuti pengalihan; server "
            "harus mengizinkan pembacaan lintas asal (log Terang mengizinkannya)."
        ),
        "verifier.verify_url": "Unduh dan verifikasi",
        "verifier.embeds": "Berkas ini memuat verify.js dengan SHA-256",
        "verifier.source_file": "Berkas: {name}",
        "verifier.source_text": "Teks yang ditempel",
        "verifier.source_url": "Diunduh dari {url}",
        "verifier.source_none": "Tidak ada berkas",
        "verifier.fetch_failed": "Alamat itu tidak dapat diunduh: {reason}",
        "verifier.url_invalid": "ketik alamat http:// atau https:// yang lengkap",
        "verifier.too_large": "Berkas lebih dari {max} bita; halaman ini tidak membacanya.",
        # -- the portal's pages (portal/pages*.py, templates/) --
        "home.title": "Anggaran dan pengadaan daerah, terbuka untuk diperiksa",
        "home.totals": "Belanja tahun anggaran {year}",
        "home.totals_none": "Belum ada anggaran",
        "home.no_budget": "Belum ada tahun anggaran yang terdaftar di log ini.",
        "home.by_group": "Per kelompok anggaran",
        "home.by_opd": "Belanja per perangkat daerah, {year}",
        "home.by_opd_caption": "Pagu dan realisasi belanja per OPD, pagu terbesar lebih dulu",
        "home.other_opds": "OPD lainnya",
        "home.by_month": "Belanja per bulan, {year}",
        "stages.title": "Tahapan",
        "stages.planned": "Direncanakan",
        "stages.announced": "Diumumkan",
        "stages.closed": "Penawaran ditutup",
        "stages.opened": "Penawaran dibuka",
        "stages.evaluated": "Dievaluasi",
        "stages.winner_announced": "Pemenang diumumkan",
        "stages.awarded": "Ditetapkan (penunjukan)",
        "stages.contract_signed": "Kontrak ditandatangani",
        "stages.contract_end": "Lunas / selesai",
        "stages.paid": "Lunas dibayar",
        "stages.completed": "Selesai (serah terima)",
        "stages.terminated": "Kontrak diputus",
        "stages.cancelled": "Dibatalkan",
        "stages.failed": "Tender gagal",
        "stages.reached": "tercapai",
        "stages.now": "(saat ini)",
        "contract.overdue": "Terlambat",
        "contract.overdue_hint": "Masa kontrak berakhir {end}, tetapi kontrak masih berjalan.",
        "home.explore": "Jelajahi anggaran per OPD, program dan rekening",
        "home.open_tenders": "Tender yang sedang dibuka",
        "home.no_open_tenders": "Tidak ada tender yang sedang menerima penawaran.",
        "home.all_open_tenders": "Semua tender yang dibuka",
        "home.all_tenders": "Semua tender",
        "home.checkpoint_size": "Checkpoint terbaru mencakup {size} entri pertama log.",
        "home.witnesses": "Tanda tangan saksi",
        "home.cosigned_at": "menandatangani pada",
        "home.no_witnesses": "Belum ada saksi yang menandatangani checkpoint ini.",
        "form.any": "Semua",
        "form.show": "Tampilkan",
        "form.search": "Cari",
        "form.reset": "Hapus filter",
        "page.pagination": "Halaman",
        "page.breadcrumb": "Lokasi halaman",
        "page.first": "Halaman pertama",
        "page.next": "Halaman berikutnya",
        "page.continue": "Lanjutkan pencarian",
        "page.size": "Baris per halaman",
        "page.window_ended": (
            "Halaman ini berhenti setelah memeriksa sejumlah catatan agar tetap cepat; "
            "lanjutkan untuk mencari di catatan berikutnya."
        ),
        "page.as_of": "Angka per entri log ke-{size}.",
        "downloads.title": "Unduhan",
        "downloads.lra_opd": "LRA per OPD",
        "downloads.lra_program": "LRA per program",
        "downloads.lra_account": "LRA per rekening",
        "downloads.monthly": "Realisasi bulanan per OPD",
        "downloads.ofdp": "Paket data fiskal (Open Fiscal Data Package)",
        "downloads.line_json": "Baris anggaran (JSON)",
        "downloads.tenders": "Daftar tender ini",
        "downloads.ocds_records": "Paket record OCDS tahun {year}",
        "downloads.ocds_releases": "Paket rilis OCDS tahun {year}",
        "downloads.ocds_record": "Paket record OCDS tender ini",
        "downloads.ocds_release": "Paket rilis OCDS tender ini",
        "downloads.vendors": "Daftar penyedia ini",
        "downloads.vendors_json": "Daftar penyedia (JSON)",
        "downloads.vendor_json": "Data penyedia (JSON)",
        "downloads.vendor_history": "Riwayat penyedia (JSON)",
        "record.bundle": "Unduh bundel bukti catatan ini",
        "record.history": "Riwayat di log",
        "record.history_count": "{count} entri membahas baris ini.",
        "record.history_truncated": "Daftar dipotong pada batasnya; unduh bundel untuk semuanya.",
        "record.timeline": "Linimasa di log",
        "entry.seq": "No. entri",
        "entry.time": "Waktu dicatat",
        "entry.type": "Jenis",
        "entry.signer": "Ditandatangani oleh",
        "entry.amount": "Jumlah",
        "entry.proof": "Bukti",
        "entry.proof_link": "Bukti inklusi",
        "budget.title": "APBD {year}",
        "budget.choose": "Pilih tahun dan kelompok",
        "budget.year": "Tahun anggaran",
        "budget.group": "Kelompok",
        "budget.opd": "Perangkat daerah (OPD)",
        "budget.code": "Kode",
        "budget.name": "Uraian",
        "budget.budget": "Anggaran",
        "budget.committed": "Terikat kontrak",
        "budget.realised": "Realisasi",
        "budget.absorption": "Daya serap",
        "budget.totals": "Jumlah",
        "budget.no_lines": "Tidak ada baris anggaran di sini.",
        "budget.by.opd": "Per perangkat daerah",
        "budget.by.urusan": "Per urusan",
        "budget.by.bidang_urusan": "Per bidang urusan",
        "budget.by.program": "Per program",
        "budget.by.kegiatan": "Per kegiatan",
        "budget.by.sub_kegiatan": "Per sub kegiatan",
        "budget.lines": "Baris anggaran (rekening)",
        "budget.lines_outside": "Baris pendapatan dan pembiayaan",
        "budget.account": "Rekening",
        "budget.funding_source": "Sumber dana",
        "budget.line_id": "Kode baris",
        "budget.amounts": "Angka baris ini",
        "budget.monthly": "Realisasi bulanan terhadap anggaran kas",
        "budget.monthly_caption": "Anggaran kas dan realisasi per bulan, {group}",
        "budget.monthly_caption_line": "Anggaran kas dan realisasi baris ini per bulan",
        "budget.month": "Bulan",
        "budget.plan": "Anggaran kas",
        "budget.plan_cumulative": "Anggaran kas s.d. bulan ini",
        "budget.realised_cumulative": "Realisasi s.d. bulan ini",
        "budget.vs_plan": "Realisasi/anggaran kas",
        "group.pendapatan": "Pendapatan",
        "group.belanja": "Belanja",
        "group.penerimaan_pembiayaan": "Penerimaan pembiayaan",
        "group.pengeluaran_pembiayaan": "Pengeluaran pembiayaan",
        "level.opd": "OPD (perangkat daerah)",
        "level.urusan": "Urusan",
        "level.bidang_urusan": "Bidang urusan",
        "level.program": "Program kerja",
        "level.kegiatan": "Kegiatan kerja",
        "level.sub_kegiatan": "Sub kegiatan kerja",
        "amount.appropriated": "APBD murni",
        "amount.revised": "Perubahan (APBD-P)",
        "amount.shifted": "Pergeseran",
        "amount.budget": "Anggaran setelah perubahan",
        "amount.committed": "Terikat kontrak",
        "amount.paid_committed": "Dibayar atas kontrak",
        "amount.paid_uncommitted": "Dibayar langsung",
        "amount.realised": "Realisasi",
        "amount.available": "Sisa yang dapat diikat",
        "amount.allotted": "Anggaran kas (SPD)",
        "tenders.title": "Daftar tender",
        "tenders.search": "Cari tender",
        "tenders.q": "Kata kunci (judul atau ocid)",
        "tenders.state": "Tahap",
        "tenders.method": "Metode",
        "tenders.category": "Jenis pengadaan",
        "tenders.value_min": "HPS paling rendah (Rp)",
        "tenders.value_max": "HPS paling tinggi (Rp)",
        "tenders.value_hint": "Rupiah utuh, angka saja, misalnya 500000000.",
        "tenders.results": "Hasil",
        "tenders.tender": "Paket",
        "tenders.none": "Tidak ada tender yang cocok.",
        "nav.flags": "Tanda peringatan",
        "flags.title": "Tanda peringatan pengadaan",
        "flags.caution": (
            "Tanda peringatan adalah alasan untuk melihat lebih dekat, bukan tuduhan dan bukan"
            " temuan. Banyak tanda punya penjelasan yang wajar; periksa dokumen dan entri log di"
            " baliknya sebelum menarik kesimpulan."
        ),
        "flags.intro": (
            "Setiap tanda dihitung ulang dari log saat entri masuk, dengan aturan dan ambang yang"
            " disebutkan, dan menunjuk entri log yang mendasarinya."
        ),
        "flags.search": "Saring tanda peringatan",
        "flags.rule": "Aturan",
        "flags.status": "Status tanda",
        "flags.status.raised": "Aktif",
        "flags.status.cleared": "Dicabut",
        "flags.status.any": "Semua",
        "flags.ocid": "Paket tender (ocid)",
        "flags.vendor_id": "Penyedia (id kunci, 64 karakter heksadesimal)",
        "flags.results": "Tanda",
        "flags.none": "Tidak ada tanda peringatan yang cocok.",
        "flags.download": "Tanda peringatan",
        "flags.rules_json": "Aturan, ambang dan sumbernya",
        "flags.cleared": "dicabut",
        "flags.vendor": "Penyedia",
        "flags.value": "Nilai",
        "flags.threshold": "Ambang",
        "flags.entries": "Entri log",
        "flags.version": "Versi aturan",
        "tender.flags": "Tanda peringatan",
        "tender.flags_none": "Tidak ada tanda peringatan untuk tender ini.",
        "vendor.flags_none": "Tidak ada tanda peringatan yang menyebut penyedia ini.",
        "flags.all_of_vendor": "Semua tanda peringatan yang menyebut penyedia ini",
        "flags.of_opd": "Tanda peringatan pengadaan OPD ini",
        "tender.hps": "HPS (harga perkiraan sendiri)",
        "tender.items": "Barang/jasa yang diadakan",
        "tender.item": "Uraian",
        "tender.classification": "Klasifikasi (KBLI 2020)",
        "tender.quantity": "Volume",
        "tender.bid_deadline": "Batas akhir penawaran",
        "tender.time_vouched": "Waktu dijamin oleh",
        "tender.time_simulated": (
            "tidak seorang pun untuk waktu yang lalu: ini log demo dengan jam simulasi"
        ),
        "tender.time_by_operator": (
            "operator saja: log ini tidak punya kebijakan saksi (witness), jadi batas waktu "
            "hanya bertumpu pada jam server"
        ),
        "tender.time_by_witnesses": "saksi (witness) log: {quorum} dari {count} saksi",
        "tender.time_anchor": (
            "Penawaran sebelum entri {tree_size} ditandatangani bersama oleh saksi paling "
            "lambat {not_after}; penawaran sesudahnya terlambat"
        ),
        "bid.late": "terlambat (di luar jangkar waktu saksi)",
        "tender.announced": "Diumumkan",
        "tender.clarification_end": "Akhir pemberian penjelasan",
        "tender.budget_line": "Baris anggaran",
        "tender.rup": "Kode RUP",
        "tender.rup_value": "pagu",
        "tender.rup_schedule": (
            "revisi {revision}; rencana pemilihan {selection}, kontrak {contract}"
        ),
        "tender.rup_pdn": "produk dalam negeri (PDN)",
        "tender.rup_umk": "dicadangkan untuk usaha mikro dan kecil (UMK)",
        "tender.ended": "Berakhir",
        "tender.documents": "Dokumen pemilihan",
        "tender.documents_hint": (
            "Hash SHA-256 tercatat di log: berkas yang Anda unduh harus menghasilkan hash "
            "yang sama."
        ),
        "tender.no_documents": "Belum ada dokumen.",
        "tender.bytes": "bita",
        "tender.not_uploaded": "berkas belum diunggah; hash-nya tetap tercatat",
        "tender.bids": "Penawaran",
        "tender.bids_count": "{active} penawaran aktif ({ever} pernah dikirim).",
        "tender.bids_paged": (
            "Daftar penawaran dibagi per halaman: {shown} di halaman ini, diurutkan menurut "
            "harga di dalam halaman ini saja."
        ),
        "tender.bids_pagination": "Halaman penawaran",
        "tender.bids_first": "Penawaran pertama",
        "tender.bids_next": "Penawaran berikutnya",
        "tender.bids_sealed": (
            "Isi penawaran tersegel sampai pembukaan oleh panitia; tidak ada yang dapat "
            "membacanya lebih dahulu."
        ),
        "tender.bidder": "Peserta",
        "tender.price": "Harga penawaran",
        "tender.opening": "Pembukaan",
        "tender.evaluation": "Evaluasi",
        "tender.passed": "lulus",
        "tender.failed": "tidak lulus",
        "tender.score": "nilai",
        "tender.sealed": "tersegel",
        "tender.winner": "Pemenang",
        "tender.award": "Penetapan pemenang",
        "tender.award_value": "Nilai penetapan",
        "tender.award_date": "Tanggal penetapan",
        "tender.commitment": "Komitmen anggaran",
        "tender.questions": "Pertanyaan dan jawaban (aanwijzing)",
        "tender.question": "Pertanyaan {number}:",
        "tender.answer": "Jawaban:",
        "tender.unanswered": "Belum dijawab.",
        "tender.enquiries_more": "Daftar lengkap (API)",
        "tender.objections": "Sanggahan",
        "tender.objection": "Sanggahan {number}:",
        "tender.answer_due": "batas jawaban",
        "tender.objection_outcome.upheld": "Diterima:",
        "tender.objection_outcome.rejected": "Ditolak:",
        "tender.answered_late": "dijawab melewati batas",
        "tender.contract": "Kontrak dan pembayaran",
        "opening.opened": "dibuka",
        "opening.unopenable": "tidak dapat dibuka",
        "opening.missing_members": "kunci belum diserahkan oleh anggota",
        "contract.number": "Nomor kontrak",
        "contract.status": "Status",
        "contract.value": "Nilai kontrak",
        "contract.paid": "Sudah dibayar",
        "contract.period": "Masa kontrak",
        "contract.milestones": "Termin pembayaran",
        "contract.milestone": "Termin",
        "contract.due": "Jatuh tempo",
        "contract.amount": "Nilai",
        "contract.payments": "Permintaan pembayaran",
        "contract.request": "No. permintaan",
        "contract.requested_at": "Diminta pada",
        "contract.sp2d": "SP2D",
        "contract.status.active": "berjalan",
        "contract.status.paid": "lunas",
        "contract.status.completed": "selesai (BAST)",
        "contract.status.terminated": "diputus",
        "payment.status.pending": "menunggu",
        "payment.status.paid": "dibayar",
        "payment.status.rejected": "ditolak",
        "state.planned": "Direncanakan",
        "state.active": "Dibuka",
        "state.closed": "Ditutup",
        "state.opening": "Pembukaan penawaran",
        "state.opened": "Penawaran dibuka",
        "state.winner_announced": "Pengumuman pemenang",
        "state.awarded": "Pemenang ditetapkan",
        "state.cancelled": "Dibatalkan",
        "state.failed": "Gagal",
        "method.e_purchasing": "E-purchasing",
        "method.pengadaan_langsung": "Pengadaan langsung",
        "method.penunjukan_langsung": "Penunjukan langsung",
        "method.tender_cepat": "Tender cepat",
        "method.tender": "Tender umum",
        "method.seleksi": "Seleksi konsultan",
        "category.goods": "Barang",
        "category.works": "Pekerjaan konstruksi",
        "category.consulting": "Jasa konsultansi",
        "category.other_services": "Jasa lainnya",
        "vendors.title": "Daftar penyedia",
        "vendors.search": "Cari penyedia",
        "vendors.q": "Nama, NPWP atau kode kunci",
        "vendors.status": "Status pendaftaran",
        "vendors.results": "Penyedia",
        "vendors.name": "Nama",
        "vendors.qualification": "Kualifikasi usaha",
        "vendors.bids": "Penawaran dikirim",
        "vendors.awards": "Tender dimenangkan",
        "vendors.none": "Tidak ada penyedia yang cocok.",
        "vendor.status.registered": "terdaftar",
        "vendor.status.active": "aktif (terverifikasi)",
        "vendor.sanctioned": "sedang dikenai sanksi",
        "vendor.address": "Alamat",
        "vendor.registered": "Mendaftar pada",
        "vendor.key": "Kode kunci (key id)",
        "vendor.sanctions": "Sanksi",
        "vendor.contracts": "Kontrak yang dimenangkan",
        "vendor.contract_tender": "Paket",
        "vendor.contracts_next": "Kontrak berikutnya",
        "vendor.contracts_none": "Belum ada kontrak.",
        "vendor.no_sanctions": "Tidak ada sanksi.",
        "text.mixed_scripts": (
            "Peringatan: satu kata mencampur aksara ({scripts}); bisa jadi tiruan nama lain."
        ),
        "demo.sealed_note": (
            "Data demo: kunci kotak Pokja demo disimpan di server ini, jadi penawaran tender demo"
            " tidak tersegel terhadap operatornya."
        ),
        "vendor.lifted": "dicabut",
        "type.budgeting.appropriation.posted": "Pagu anggaran (APBD)",
        "type.budgeting.revision.posted": "Perubahan anggaran",
        "type.budgeting.shift.posted": "Pergeseran anggaran",
        "type.budgeting.allotment.posted": "Anggaran kas (SPD)",
        "type.budgeting.commitment.posted": "Komitmen (kontrak)",
        "type.budgeting.commitment.released": "Pelepasan sisa komitmen",
        "type.budgeting.payment.posted": "Pembayaran (SP2D)",
        "type.budgeting.reversal.posted": "Pembatalan posting",
        "type.procurement.package.created": "Paket dibuat",
        "type.procurement.tender.announced": "Tender diumumkan",
        "type.procurement.tender.amended": "Adendum dokumen",
        "type.procurement.tender.question_asked": "Pertanyaan peserta",
        "type.procurement.tender.question_answered": "Jawaban panitia",
        "type.procurement.bid.submitted": "Penawaran tersegel dikirim",
        "type.procurement.bid.replaced": "Penawaran diganti",
        "type.procurement.bid.withdrawn": "Penawaran ditarik",
        "type.procurement.bid.confirmed": "Penawaran dikonfirmasi",
        "type.procurement.tender.closed": "Tender ditutup",
        "type.procurement.tender.shares_released": "Kunci pembuka diserahkan anggota Pokja",
        "type.procurement.tender.opened": "Penawaran dibuka",
        "type.procurement.tender.evaluated": "Hasil evaluasi",
        "type.procurement.tender.winner_announced": "Pengumuman pemenang",
        "type.procurement.tender.objection_filed": "Sanggah diajukan",
        "type.procurement.tender.objection_answered": "Jawaban sanggah",
        "type.procurement.tender.evaluation_reopened": "Evaluasi diulang",
        "type.procurement.tender.release_reopened": "Penyerahan kunci dibuka kembali",
        "type.procurement.tender.awarded": "Penetapan pemenang",
        "type.procurement.tender.cancelled": "Tender dibatalkan",
        "type.procurement.tender.failed": "Tender gagal",
        "type.procurement.contract.signed": "Kontrak ditandatangani",
        "type.procurement.contract.amended": "Adendum kontrak",
        "type.procurement.contract.payment_requested": "Permintaan pembayaran",
        "type.procurement.contract.payment_rejected": "Permintaan pembayaran ditolak",
        "type.procurement.contract.paid": "Pembayaran kontrak",
        "type.procurement.contract.completed": "Serah terima pekerjaan (BAST)",
        "type.procurement.contract.terminated": "Kontrak diputus",
        "type.procurement.vendor.registered": "Pendaftaran penyedia",
        "type.procurement.vendor.activated": "Penyedia diverifikasi",
        "type.procurement.vendor.sanctioned": "Sanksi penyedia",
        "type.procurement.vendor.sanction_lifted": "Sanksi dicabut",
        "error.400.title": "Permintaan tidak dapat diproses",
        "error.404.title": "Halaman tidak ditemukan",
        "error.home": "Kembali ke beranda",
        "error.not_found.detail": "Alamat ini tidak menunjuk ke halaman mana pun.",
        "error.param.repeated": "Parameter {name} diberikan lebih dari sekali.",
        "error.param.too_long": (
            "Parameter {name} terlalu panjang (paling banyak {chars_max} karakter)."
        ),
        "error.param.invalid": "Nilai parameter {name} tidak sah.",
        "error.param.choice": "Nilai parameter {name} harus salah satu dari: {allowed}.",
        "error.param.range": "Parameter {name} harus bilangan bulat dari {low} sampai {high}.",
        "error.param.rupiah": (
            "Parameter {name} harus rupiah utuh, angka saja (misalnya 500000000)."
        ),
        "error.param.order": "Parameter {low} tidak boleh lebih besar dari {high}.",
        "error.param.needs": "Parameter {name} hanya berlaku bersama parameter {needs}.",
        "error.unknown_year": "Tahun anggaran {year} tidak terdaftar di log ini.",
        "error.unknown_opd": "Perangkat daerah {code} tidak terdaftar.",
        "error.unknown_programme": (
            "Tidak ada baris anggaran di bawah kode program {code} pada OPD ini."
        ),
        "error.unknown_line": "Baris anggaran {code} tidak ditemukan.",
        # -- planning (portal/pages_planning.py) --
        "nav.planning": "Perencanaan",
        "planning.title": "Usulan pembangunan (musrenbang)",
        "planning.lead": (
            "Usulan dari desa, kelurahan, kelompok masyarakat dan pokok pikiran DPRD, dengan"
            " keputusan musrenbang kecamatan, forum kabupaten dan Bappeda, sampai baris"
            " anggaran yang mendanainya."
        ),
        "planning.search": "Cari usulan",
        "planning.year": "Tahun anggaran",
        "planning.stage": "Tahap",
        "planning.kecamatan": "Kecamatan",
        "planning.source": "Sumber usulan",
        "planning.results": "Usulan",
        "planning.none": "Tidak ada usulan yang cocok.",
        "planning.proposal": "Usulan",
        "planning.location": "Lokasi",
        "planning.estimate": "Perkiraan biaya",
        "planning.volume": "Volume",
        "planning.decisions": "Keputusan forum",
        "planning.forum": "Forum",
        "planning.decision": "Keputusan",
        "planning.reason": "Alasan atau catatan",
        "planning.not_yet": "Belum diputuskan.",
        "planning.merged_into": "Digabung ke",
        "planning.merged_from": "Menggabungkan",
        "planning.funding": "Baris anggaran yang mendanai",
        "planning.funding_none": "Belum ada baris anggaran yang ditautkan.",
        "planning.funded_proposals": "Usulan musrenbang yang didanai baris ini",
        "komponen.heading": "Rincian (komponen)",
        "komponen.caption": (
            "Komponen baris ini: koefisien, harga satuan, dan harga standar (SSH/HSPK/ASB)"
            " yang menjadi acuannya"
        ),
        "komponen.uraian": "Uraian",
        "komponen.koefisien": "Koefisien",
        "komponen.unit_price": "Harga satuan",
        "komponen.standard": "Harga standar",
        "komponen.total": "Jumlah",
        "komponen.none": "Tidak ada standar",
        "komponen.above": "Di atas standar",
        "komponen.reason": "Alasan",
        "komponen.above_count": "{count} komponen di atas harga standar.",
        "komponen.out_of_step": (
            "Jumlah komponen ({total}) tidak sama dengan anggaran baris ini; baris tidak dapat"
            " dikontrakkan sampai rinciannya ditetapkan ulang."
        ),
        "forum.kecamatan": "Musrenbang kecamatan",
        "forum.kabupaten": "Forum musrenbang kabupaten",
        "forum.rkpd": "Bappeda (RKPD)",
        "decision.forwarded": "Diteruskan",
        "decision.merged": "Digabung",
        "decision.rejected": "Ditolak",
        "decision.accepted": "Diterima ke RKPD",
        "stage.awaiting_kecamatan": "Menunggu musrenbang kecamatan",
        "stage.awaiting_kabupaten": "Menunggu forum kabupaten",
        "stage.awaiting_bappeda": "Menunggu Bappeda",
        "stage.accepted": "Masuk RKPD",
        "stage.rejected": "Ditolak",
        "stage.merged": "Digabung",
        "source.desa": "Desa/kelurahan",
        "source.community": "Kelompok masyarakat",
        "source.pokir": "Pokok pikiran DPRD",
        "downloads.proposals_json": "Daftar usulan (JSON)",
        "downloads.proposal_json": "Usulan (JSON)",
        "error.unknown_proposal": "Usulan {code} tidak ditemukan.",
        "type.planning.area.registered": "Pendaftaran wilayah",
        "type.planning.seat.assigned": "Penetapan kunci ke wilayah",
        "type.planning.proposal.submitted": "Usulan diajukan",
        "type.planning.kecamatan.decided": "Keputusan musrenbang kecamatan",
        "type.planning.kabupaten.decided": "Keputusan forum kabupaten",
        "type.planning.rkpd.decided": "Keputusan Bappeda (RKPD)",
        "type.planning.funding.linked": "Ditautkan ke baris anggaran",
        "type.budgeting.komponen.set": "Komponen (rincian) ditetapkan",
        "type.procurement.rup.published": "RUP diumumkan",
        "type.procurement.rup.revised": "RUP direvisi",
        "type.procurement.rup.withdrawn": "RUP ditarik",
        "trace.title": "Jejak anggaran",
        "trace.title_line": "Jejak baris anggaran {code}",
        "trace.title_proposal": "Jejak usulan {code}",
        "trace.link": "Ikuti jejaknya: dari usulan dan DPA sampai pembayaran",
        "trace.intro": (
            "Setiap langkah di bawah adalah satu entri log yang ditandatangani, berurutan"
            " menurut nomor urutnya (seq). Tombol Verifikasi memeriksa bukti inklusi entri"
            " itu di peramban Anda terhadap checkpoint yang ditandatangani log."
        ),
        "trace.payment_chain": (
            "Tahap SPP → SPM → SP2D belum dicatat oleh log ini: satu pembayaran adalah satu"
            " entri pembayaran (SP2D) pada baris anggaran. Yang tampil hanya pembayaran yang"
            " benar-benar tercatat."
        ),
        "trace.steps": "Langkah-langkah",
        "trace.part_proposal": "Usulan",
        "trace.part_line": "Baris anggaran",
        "trace.steps_count": "{shown} dari {total} langkah",
        "trace.truncated": (
            "Jejak ini terpotong: satu sumbernya melewati batasnya (riwayat baris lebih dari"
            " 1.000 entri, lebih dari 50 tender, atau lebih dari 5.000 langkah)."
        ),
        "trace.none": "Belum ada langkah yang tercatat.",
        "trace.lines": "Baris anggaran yang diikuti",
        "trace.tenders": "Tender yang diikuti",
        "trace.record": "Catatan",
        "trace.signer_roles": "peran",
        "trace.verify_step": "Verifikasi",
        "trace.entry_link": "Entri",
        "trace.next": "Langkah berikutnya",
        "trace.first": "Langkah pertama",
        "trace.stage.proposal": "Usulan",
        "trace.stage.forum_decision": "Musrenbang",
        "trace.stage.rkpd": "RKPD",
        "trace.stage.funding_link": "Tautan pendanaan",
        "trace.stage.appropriation": "DPA",
        "trace.stage.revision": "Perubahan",
        "trace.stage.shift": "Pergeseran",
        "trace.stage.allotment": "Anggaran kas",
        "trace.stage.komponen": "Komponen",
        "trace.stage.rup": "RUP",
        "trace.stage.package": "Paket",
        "trace.stage.tender": "Tender",
        "trace.stage.award": "Penetapan pemenang",
        "trace.stage.contract": "Kontrak",
        "trace.stage.contract_amendment": "Adendum kontrak",
        "trace.stage.commitment": "Komitmen",
        "trace.stage.commitment_released": "Pelepasan komitmen",
        "trace.stage.payment_request": "Permintaan pembayaran",
        "trace.stage.payment_request_decided": "Keputusan permintaan pembayaran",
        "trace.stage.payment": "Pembayaran (SP2D)",
        "trace.stage.reversal": "Pembatalan",
        "trace.stage.contract_end": "Akhir kontrak",
        "trace.stage.other": "Lainnya",
        "verify.check.trace_seq": "Entri {seq} adalah entri langkah ini",
        "verify.fail.trace_seq": "Bundel tidak memuat entri langkah ini",
        "error.unknown_tender": "Tender {code} tidak ditemukan.",
        "error.unknown_vendor": "Penyedia {code} tidak ditemukan.",
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
        "verify.result.ok_checkpoint": (
            "Verified: this checkpoint is signed by the log key you trust."
        ),
        "verify.check.checkpoint_limits": (
            "A checkpoint alone shows only a tree head the log signed; compare its size and root "
            "hash with other copies (witnesses, other checkers) to learn whether everyone is shown "
            "the same log."
        ),
        "verify.identity.ran": (
            "This check ran verify.js with SHA-256 {hash}, computed in your browser from the file "
            "this page loaded."
        ),
        "verify.identity.unknown": (
            "The SHA-256 of the verify.js that ran could not be computed on this page."
        ),
        "verify.identity.standalone": (
            "This log's standalone verifier (terang-verifier.html, SHA-256 {html}) embeds "
            "verify.js SHA-256 {embedded}."
        ),
        "verify.identity.same": "That is the code that just ran here.",
        "verify.identity.differs": (
            "WARNING: that code DIFFERS from the verify.js that just ran here."
        ),
        "verify.identity.advice": (
            "This server serves the page and its script itself, so the figures above come from the"
            " server you are checking. For a check that owes it nothing, save the standalone "
            "verifier once, compare its SHA-256 with the one published in Terang's documentation, "
            "and open it from your disk."
        ),
        "verify.identity.download": "Download the standalone verifier",
        "verify.drop.standalone_title": "A verifier the operator cannot swap",
        "verify.drop.standalone": (
            "This page and its script come from the server you are checking. The standalone "
            "verifier is the same code in one HTML file: save it once, compare its SHA-256 with "
            "the one published in Terang's documentation, and open it from your disk to check any "
            "Terang log."
        ),
        # -- the standalone verifier (portal/standalone_verifier.py, terang-verifier.html) --
        "verifier.title": "Terang standalone verifier",
        "verifier.language_name": "English",
        "verifier.intro": (
            "This page checks record proof bundles, receipts (.json or .tlog-proof) and checkpoints"
            " of any Terang log. All of its code is inside this file: the page loads nothing, and "
            "the only network request it ever makes is the address you type yourself."
        ),
        "verifier.save": (
            "Save this file once, compare its SHA-256 (sha256sum terang-verifier.html) with the one"
            " published in Terang's documentation, then open it from your disk every time."
        ),
        "verifier.keys": "The keys you trust",
        "verifier.key_hint": (
            "Paste the log's verifier key you got from elsewhere (the regional government's "
            "official site, a printed notice, a witness operator), in the form name+keyid+base64. "
            "This page trusts no key by itself."
        ),
        "verifier.what": "What to check",
        "verifier.what_hint": (
            "Choose a file, paste its text, or type its address: a bundle from "
            "/api/v1/records/<subject>/bundle, a receipt, a .tlog-proof, or /log/checkpoint."
        ),
        "verifier.file": "Proof file",
        "verifier.verify_file": "Verify the file",
        "verifier.text": "Or paste its text",
        "verifier.verify_text": "Verify the text",
        "verifier.url": "Or an address (URL) to download",
        "verifier.url_hint": (
            "Only this address is requested, without cookies and without following redirects; the"
            " server must allow cross-origin reads (Terang logs do)."
        ),
        "verifier.verify_url": "Download and verify",
        "verifier.embeds": "This file embeds verify.js with SHA-256",
        "verifier.source_file": "File: {name}",
        "verifier.source_text": "Pasted text",
        "verifier.source_url": "Downloaded from {url}",
        "verifier.source_none": "No file",
        "verifier.fetch_failed": "Could not download that address: {reason}",
        "verifier.url_invalid": "type a complete http:// or https:// address",
        "verifier.too_large": "The file is over {max} bytes; this page does not read it.",
        # -- the portal's pages (portal/pages*.py, templates/) --
        "home.title": "Regional budget and procurement, open to inspection",
        "home.totals": "Spending in fiscal year {year}",
        "home.totals_none": "No budget yet",
        "home.no_budget": "No fiscal year has been registered in this log yet.",
        "home.by_group": "By budget group",
        "home.by_opd": "Spending by agency, {year}",
        "home.by_opd_caption": "Budget and realised spending by agency, largest budget first",
        "home.other_opds": "Other agencies",
        "home.by_month": "Spending by month, {year}",
        "stages.title": "Stages",
        "stages.planned": "Planned",
        "stages.announced": "Announced",
        "stages.closed": "Bids closed",
        "stages.opened": "Bids opened",
        "stages.evaluated": "Evaluated",
        "stages.winner_announced": "Winner announced",
        "stages.awarded": "Awarded",
        "stages.contract_signed": "Contract signed",
        "stages.contract_end": "Paid / completed",
        "stages.paid": "Paid in full",
        "stages.completed": "Completed (handover)",
        "stages.terminated": "Contract terminated",
        "stages.cancelled": "Cancelled",
        "stages.failed": "Tender failed",
        "stages.reached": "reached",
        "stages.now": "(now)",
        "contract.overdue": "Overdue",
        "contract.overdue_hint": "The contract period ended on {end}; it is still active.",
        "home.explore": "Explore the budget by agency, programme and account",
        "home.open_tenders": "Tenders open for bids",
        "home.no_open_tenders": "No tender is accepting bids right now.",
        "home.all_open_tenders": "All open tenders",
        "home.all_tenders": "All tenders",
        "home.checkpoint_size": "The latest checkpoint covers the log's first {size} entries.",
        "home.witnesses": "Witness cosignatures",
        "home.cosigned_at": "cosigned at",
        "home.no_witnesses": "No witness has cosigned this checkpoint yet.",
        "form.any": "Any",
        "form.show": "Show",
        "form.search": "Search",
        "form.reset": "Clear filters",
        "page.pagination": "Pages",
        "page.breadcrumb": "You are here",
        "page.first": "First page",
        "page.next": "Next page",
        "page.continue": "Continue searching",
        "page.size": "Rows per page",
        "page.window_ended": (
            "This page stopped after examining a bounded number of records to stay fast; "
            "continue to search the records after them."
        ),
        "page.as_of": "Figures as of log entry {size}.",
        "downloads.title": "Downloads",
        "downloads.lra_opd": "Budget realisation report (LRA) by agency",
        "downloads.lra_program": "Budget realisation report (LRA) by programme",
        "downloads.lra_account": "Budget realisation report (LRA) by account",
        "downloads.monthly": "Monthly realisation by agency",
        "downloads.ofdp": "Fiscal data package (Open Fiscal Data Package)",
        "downloads.line_json": "Budget line (JSON)",
        "downloads.tenders": "This list of tenders",
        "downloads.ocds_records": "OCDS record package, fiscal year {year}",
        "downloads.ocds_releases": "OCDS release package, fiscal year {year}",
        "downloads.ocds_record": "This tender's OCDS record package",
        "downloads.ocds_release": "This tender's OCDS release package",
        "downloads.vendors": "This list of vendors",
        "downloads.vendors_json": "Vendor register (JSON)",
        "downloads.vendor_json": "Vendor data (JSON)",
        "downloads.vendor_history": "Vendor history (JSON)",
        "record.bundle": "Download this record's proof bundle",
        "record.history": "History in the log",
        "record.history_count": "{count} entries are about this line.",
        "record.history_truncated": "The list was cut at its limit; download the bundle for all.",
        "record.timeline": "Timeline in the log",
        "entry.seq": "Entry no.",
        "entry.time": "Logged at",
        "entry.type": "Kind",
        "entry.signer": "Signed by",
        "entry.amount": "Amount",
        "entry.proof": "Proof",
        "entry.proof_link": "Inclusion proof",
        "budget.title": "Regional budget {year}",
        "budget.choose": "Choose year and group",
        "budget.year": "Fiscal year",
        "budget.group": "Group",
        "budget.opd": "Agency (OPD)",
        "budget.code": "Code",
        "budget.name": "Description",
        "budget.budget": "Budget",
        "budget.committed": "Committed",
        "budget.realised": "Realised",
        "budget.absorption": "Absorption",
        "budget.totals": "Totals",
        "budget.no_lines": "No budget lines here.",
        "budget.by.opd": "By agency",
        "budget.by.urusan": "By government affair",
        "budget.by.bidang_urusan": "By field of affair",
        "budget.by.program": "By programme",
        "budget.by.kegiatan": "By activity",
        "budget.by.sub_kegiatan": "By sub-activity",
        "budget.lines": "Budget lines (accounts)",
        "budget.lines_outside": "Revenue and financing lines",
        "budget.account": "Account",
        "budget.funding_source": "Funding source",
        "budget.line_id": "Line code",
        "budget.amounts": "This line's figures",
        "budget.monthly": "Monthly realisation against the cash plan",
        "budget.monthly_caption": "Cash plan and realisation by month, {group}",
        "budget.monthly_caption_line": "This line's cash plan and realisation by month",
        "budget.month": "Month",
        "budget.plan": "Cash plan",
        "budget.plan_cumulative": "Cash plan to date",
        "budget.realised_cumulative": "Realised to date",
        "budget.vs_plan": "Realised/cash plan",
        "group.pendapatan": "Revenue",
        "group.belanja": "Spending",
        "group.penerimaan_pembiayaan": "Financing receipts",
        "group.pengeluaran_pembiayaan": "Financing expenditure",
        "level.opd": "Agency (OPD)",
        "level.urusan": "Government affair",
        "level.bidang_urusan": "Field of affair",
        "level.program": "Programme",
        "level.kegiatan": "Activity",
        "level.sub_kegiatan": "Sub-activity",
        "amount.appropriated": "Original appropriation",
        "amount.revised": "Revisions (APBD-P)",
        "amount.shifted": "Shifts",
        "amount.budget": "Budget after changes",
        "amount.committed": "Committed",
        "amount.paid_committed": "Paid against contracts",
        "amount.paid_uncommitted": "Paid directly",
        "amount.realised": "Realised",
        "amount.available": "Still available to commit",
        "amount.allotted": "Cash plan (SPD)",
        "tenders.title": "Tenders",
        "tenders.search": "Search tenders",
        "tenders.q": "Keywords (title or ocid)",
        "tenders.state": "Stage",
        "tenders.method": "Method",
        "tenders.category": "Procurement category",
        "tenders.value_min": "Lowest estimate (IDR)",
        "tenders.value_max": "Highest estimate (IDR)",
        "tenders.value_hint": "Whole rupiah, digits only, e.g. 500000000.",
        "tenders.results": "Results",
        "tenders.tender": "Package",
        "tenders.none": "No tender matches.",
        "nav.flags": "Red flags",
        "flags.title": "Procurement red flags",
        "flags.caution": (
            "A red flag is a reason to look more closely, not an accusation and not a finding."
            " Many flags have an ordinary explanation; check the documents and the log entries"
            " behind one before drawing any conclusion."
        ),
        "flags.intro": (
            "Each flag is recomputed from the log as entries arrive, with the rule and thresholds"
            " it names, and points to the log entries behind it."
        ),
        "flags.search": "Filter red flags",
        "flags.rule": "Rule",
        "flags.status": "Status",
        "flags.status.raised": "Raised",
        "flags.status.cleared": "Cleared",
        "flags.status.any": "Any",
        "flags.ocid": "Tender (ocid)",
        "flags.vendor_id": "Vendor (key id, 64 hex characters)",
        "flags.results": "Flags",
        "flags.none": "No red flag matches.",
        "flags.download": "Red flags",
        "flags.rules_json": "Rules, thresholds and their sources",
        "flags.cleared": "cleared",
        "flags.vendor": "Vendor",
        "flags.value": "Value",
        "flags.threshold": "Threshold",
        "flags.entries": "Log entries",
        "flags.version": "Rule version",
        "tender.flags": "Red flags",
        "tender.flags_none": "No red flag for this tender.",
        "vendor.flags_none": "No red flag names this vendor.",
        "flags.all_of_vendor": "Every red flag naming this vendor",
        "flags.of_opd": "Red flags of this agency's procurement",
        "tender.hps": "Owner's estimate (HPS)",
        "tender.items": "What is bought",
        "tender.item": "Item",
        "tender.classification": "Classification (KBLI 2020)",
        "tender.quantity": "Quantity",
        "tender.bid_deadline": "Bid deadline",
        "tender.time_vouched": "Time vouched for by",
        "tender.time_simulated": "nobody for past times: this is a demo log on a simulated clock",
        "tender.time_by_operator": (
            "the operator alone: this log has no witness policy, so the deadline rests on "
            "the server's clock only"
        ),
        "tender.time_by_witnesses": "the log's witnesses: {quorum} of {count}",
        "tender.time_anchor": (
            "Bids before entry {tree_size} were cosigned by the witnesses by {not_after}; "
            "later bids are late"
        ),
        "bid.late": "late (outside the witnesses' time anchor)",
        "tender.announced": "Announced",
        "tender.clarification_end": "End of clarifications",
        "tender.budget_line": "Budget line",
        "tender.rup": "Procurement plan code (RUP)",
        "tender.rup_value": "planned value",
        "tender.rup_schedule": (
            "revision {revision}; selection planned {selection}, contract {contract}"
        ),
        "tender.rup_pdn": "domestic products (PDN)",
        "tender.rup_umk": "reserved for micro and small businesses (UMK)",
        "tender.ended": "Ended",
        "tender.documents": "Tender documents",
        "tender.documents_hint": (
            "The SHA-256 hash is in the log: a file you download must hash to the same value."
        ),
        "tender.no_documents": "No documents yet.",
        "tender.bytes": "bytes",
        "tender.not_uploaded": "file not uploaded yet; its hash is logged all the same",
        "tender.bids": "Bids",
        "tender.bids_count": "{active} active bids ({ever} ever submitted).",
        "tender.bids_paged": (
            "The bids are listed in pages: {shown} on this page, ordered by price within "
            "this page only."
        ),
        "tender.bids_pagination": "Pages of bids",
        "tender.bids_first": "First bids",
        "tender.bids_next": "Next bids",
        "tender.bids_sealed": (
            "Bids stay sealed until the committee opens them; nobody can read them before."
        ),
        "tender.bidder": "Bidder",
        "tender.price": "Bid price",
        "tender.opening": "Opening",
        "tender.evaluation": "Evaluation",
        "tender.passed": "passed",
        "tender.failed": "did not pass",
        "tender.score": "score",
        "tender.sealed": "sealed",
        "tender.winner": "Winner",
        "tender.award": "Award",
        "tender.award_value": "Award value",
        "tender.award_date": "Award date",
        "tender.commitment": "Budget commitment",
        "tender.questions": "Questions and answers (aanwijzing)",
        "tender.question": "Question {number}:",
        "tender.answer": "Answer:",
        "tender.unanswered": "Not answered yet.",
        "tender.enquiries_more": "The full list (API)",
        "tender.objections": "Objections (sanggah)",
        "tender.objection": "Objection {number}:",
        "tender.answer_due": "answer due",
        "tender.objection_outcome.upheld": "Upheld:",
        "tender.objection_outcome.rejected": "Rejected:",
        "tender.answered_late": "answered after the due time",
        "tender.contract": "Contract and payments",
        "opening.opened": "opened",
        "opening.unopenable": "could not be opened",
        "opening.missing_members": "key share not released by member(s)",
        "contract.number": "Contract number",
        "contract.status": "State",
        "contract.value": "Contract value",
        "contract.paid": "Paid so far",
        "contract.period": "Contract period",
        "contract.milestones": "Payment milestones",
        "contract.milestone": "Milestone",
        "contract.due": "Due",
        "contract.amount": "Value",
        "contract.payments": "Payment requests",
        "contract.request": "Request no.",
        "contract.requested_at": "Requested at",
        "contract.sp2d": "Payment orders (SP2D)",
        "contract.status.active": "running",
        "contract.status.paid": "paid in full",
        "contract.status.completed": "completed (handed over)",
        "contract.status.terminated": "terminated",
        "payment.status.pending": "pending",
        "payment.status.paid": "paid",
        "payment.status.rejected": "rejected",
        "state.planned": "Planned",
        "state.active": "Open for bids",
        "state.closed": "Closed",
        "state.opening": "Opening bids",
        "state.opened": "Bids opened",
        "state.winner_announced": "Winner announced",
        "state.awarded": "Awarded",
        "state.cancelled": "Cancelled",
        "state.failed": "Failed",
        "method.e_purchasing": "E-catalogue purchase",
        "method.pengadaan_langsung": "Direct procurement",
        "method.penunjukan_langsung": "Direct appointment",
        "method.tender_cepat": "Fast tender",
        "method.tender": "Open tender",
        "method.seleksi": "Consultant selection",
        "category.goods": "Goods",
        "category.works": "Construction works",
        "category.consulting": "Consulting services",
        "category.other_services": "Other services",
        "vendors.title": "Vendors",
        "vendors.search": "Search vendors",
        "vendors.q": "Name, tax number (NPWP) or key id",
        "vendors.status": "Registration status",
        "vendors.results": "Vendor register",
        "vendors.name": "Name",
        "vendors.qualification": "Business size",
        "vendors.bids": "Bids submitted",
        "vendors.awards": "Tenders won",
        "vendors.none": "No vendor matches.",
        "vendor.status.registered": "registered",
        "vendor.status.active": "active (verified)",
        "vendor.sanctioned": "currently sanctioned",
        "vendor.address": "Address",
        "vendor.registered": "Registered at",
        "vendor.key": "Key id",
        "vendor.sanctions": "Sanctions",
        "vendor.contracts": "Contracts won",
        "vendor.contract_tender": "Package",
        "vendor.contracts_next": "Next contracts",
        "vendor.contracts_none": "No contract yet.",
        "vendor.no_sanctions": "No sanctions.",
        "text.mixed_scripts": (
            "Warning: one word mixes scripts ({scripts}); this may imitate another name."
        ),
        "demo.sealed_note": (
            "Demo data: the demo Pokja's box keys are kept on this server, so this demo tender's"
            " bids are not sealed against its operator."
        ),
        "vendor.lifted": "lifted",
        "type.budgeting.appropriation.posted": "Appropriation (APBD)",
        "type.budgeting.revision.posted": "Budget revision",
        "type.budgeting.shift.posted": "Budget shift",
        "type.budgeting.allotment.posted": "Cash allotment (SPD)",
        "type.budgeting.commitment.posted": "Commitment (contract)",
        "type.budgeting.commitment.released": "Commitment rest released",
        "type.budgeting.payment.posted": "Payment (SP2D)",
        "type.budgeting.reversal.posted": "Posting reversed",
        "type.procurement.package.created": "Package created",
        "type.procurement.tender.announced": "Tender announced",
        "type.procurement.tender.amended": "Document addendum",
        "type.procurement.tender.question_asked": "Bidder's question",
        "type.procurement.tender.question_answered": "Committee's answer",
        "type.procurement.bid.submitted": "Sealed bid submitted",
        "type.procurement.bid.replaced": "Bid replaced",
        "type.procurement.bid.withdrawn": "Bid withdrawn",
        "type.procurement.bid.confirmed": "Bid confirmed",
        "type.procurement.tender.closed": "Tender closed",
        "type.procurement.tender.shares_released": (
            "Opening key share released by a committee member"
        ),
        "type.procurement.tender.opened": "Bids opened",
        "type.procurement.tender.evaluated": "Evaluation results",
        "type.procurement.tender.winner_announced": "Winner announced",
        "type.procurement.tender.objection_filed": "Objection filed",
        "type.procurement.tender.objection_answered": "Objection answered",
        "type.procurement.tender.evaluation_reopened": "Evaluation reopened",
        "type.procurement.tender.release_reopened": "Key share release reopened",
        "type.procurement.tender.awarded": "Award",
        "type.procurement.tender.cancelled": "Tender cancelled",
        "type.procurement.tender.failed": "Tender failed",
        "type.procurement.contract.signed": "Contract signed",
        "type.procurement.contract.amended": "Contract amendment",
        "type.procurement.contract.payment_requested": "Payment requested",
        "type.procurement.contract.payment_rejected": "Payment request rejected",
        "type.procurement.contract.paid": "Contract payment",
        "type.procurement.contract.completed": "Work handed over (BAST)",
        "type.procurement.contract.terminated": "Contract terminated",
        "type.procurement.vendor.registered": "Vendor registration",
        "type.procurement.vendor.activated": "Vendor verified",
        "type.procurement.vendor.sanctioned": "Vendor sanctioned",
        "type.procurement.vendor.sanction_lifted": "Sanction lifted",
        "error.400.title": "The request cannot be processed",
        "error.404.title": "Page not found",
        "error.home": "Back to the home page",
        "error.not_found.detail": "This address does not lead to any page.",
        "error.param.repeated": "Parameter {name} was given more than once.",
        "error.param.too_long": "Parameter {name} is too long (at most {chars_max} characters).",
        "error.param.invalid": "The value of parameter {name} is not valid.",
        "error.param.choice": "Parameter {name} must be one of: {allowed}.",
        "error.param.range": "Parameter {name} must be a whole number from {low} to {high}.",
        "error.param.rupiah": (
            "Parameter {name} must be whole rupiah, digits only (e.g. 500000000)."
        ),
        "error.param.order": "Parameter {low} may not be greater than {high}.",
        "error.param.needs": "Parameter {name} only applies together with parameter {needs}.",
        "error.unknown_year": "Fiscal year {year} is not registered in this log.",
        "error.unknown_opd": "Agency {code} is not registered.",
        "error.unknown_programme": (
            "No budget line of this agency falls under programme code {code}."
        ),
        "error.unknown_line": "Budget line {code} was not found.",
        # -- planning (portal/pages_planning.py) --
        "nav.planning": "Planning",
        "planning.title": "Development proposals (musrenbang)",
        "planning.lead": (
            "Proposals from villages, kelurahan, community groups and DPRD members, with the"
            " decisions of the kecamatan and kabupaten forums and Bappeda, down to the budget"
            " lines that fund them."
        ),
        "planning.search": "Search proposals",
        "planning.year": "Fiscal year",
        "planning.stage": "Stage",
        "planning.kecamatan": "Kecamatan (district)",
        "planning.source": "Source",
        "planning.results": "Proposals",
        "planning.none": "No proposal matches.",
        "planning.proposal": "Proposal",
        "planning.location": "Location",
        "planning.estimate": "Estimated cost",
        "planning.volume": "Quantity",
        "planning.decisions": "The forums' decisions",
        "planning.forum": "Deliberation forum",
        "planning.decision": "Decision",
        "planning.reason": "Reason or note",
        "planning.not_yet": "Not decided yet.",
        "planning.merged_into": "Merged into",
        "planning.merged_from": "Absorbs",
        "planning.funding": "Budget lines that fund it",
        "planning.funding_none": "No budget line is linked yet.",
        "planning.funded_proposals": "Musrenbang proposals this line funds",
        "komponen.heading": "Breakdown (komponen)",
        "komponen.caption": (
            "This line's komponen: koefisien, unit price, and the standard price"
            " (SSH/HSPK/ASB) it was priced from"
        ),
        "komponen.uraian": "Item",
        "komponen.koefisien": "Quantity (koefisien)",
        "komponen.unit_price": "Unit price",
        "komponen.standard": "Standard price",
        "komponen.total": "Total",
        "komponen.none": "No standard",
        "komponen.above": "Above the standard",
        "komponen.reason": "Reason",
        "komponen.above_count": "{count} komponen priced above the standard.",
        "komponen.out_of_step": (
            "The komponen add up to {total}, not this line's budget; the line cannot be"
            " committed until its rincian is set again."
        ),
        "forum.kecamatan": "Kecamatan musrenbang",
        "forum.kabupaten": "Kabupaten musrenbang forum",
        "forum.rkpd": "Bappeda (regional work plan, RKPD)",
        "decision.forwarded": "Forwarded",
        "decision.merged": "Merged",
        "decision.rejected": "Rejected",
        "decision.accepted": "Accepted into the RKPD",
        "stage.awaiting_kecamatan": "Awaiting the kecamatan forum",
        "stage.awaiting_kabupaten": "Awaiting the kabupaten forum",
        "stage.awaiting_bappeda": "Awaiting Bappeda",
        "stage.accepted": "In the RKPD",
        "stage.rejected": "Rejected",
        "stage.merged": "Merged",
        "source.desa": "Village/kelurahan",
        "source.community": "Community group",
        "source.pokir": "DPRD (pokok pikiran)",
        "downloads.proposals_json": "Proposals (JSON)",
        "downloads.proposal_json": "Proposal (JSON)",
        "error.unknown_proposal": "Proposal {code} was not found.",
        "type.planning.area.registered": "Area registered",
        "type.planning.seat.assigned": "Key seated at an area",
        "type.planning.proposal.submitted": "Proposal submitted",
        "type.planning.kecamatan.decided": "Kecamatan forum's decision",
        "type.planning.kabupaten.decided": "Kabupaten forum's decision",
        "type.planning.rkpd.decided": "Bappeda's decision (RKPD)",
        "type.planning.funding.linked": "Linked to a budget line",
        "type.budgeting.komponen.set": "Komponen (rincian) set",
        "type.procurement.rup.published": "Procurement plan (RUP) item published",
        "type.procurement.rup.revised": "RUP item revised",
        "type.procurement.rup.withdrawn": "RUP item withdrawn",
        "trace.title": "Budget trace",
        "trace.title_line": "Trace of budget line {code}",
        "trace.title_proposal": "Trace of proposal {code}",
        "trace.link": "Follow the trace: from proposal and DPA to payment",
        "trace.intro": (
            "Each step below is one signed log entry, in the order of its sequence number"
            " (seq). Verify checks that entry's inclusion proof in your browser against a"
            " checkpoint the log signed."
        ),
        "trace.payment_chain": (
            "The SPP → SPM → SP2D stages are not recorded by this log yet: a payment is one"
            " payment entry (SP2D) on the budget line. Only payments actually logged are"
            " shown."
        ),
        "trace.steps": "Steps",
        "trace.part_proposal": "Proposal",
        "trace.part_line": "Budget line",
        "trace.steps_count": "{shown} of {total} steps",
        "trace.truncated": (
            "This trace is cut short: one of its sources passed its bound (a line history"
            " over 1,000 entries, more than 50 tenders, or more than 5,000 steps)."
        ),
        "trace.none": "No steps logged yet.",
        "trace.lines": "Budget lines followed",
        "trace.tenders": "Tenders followed",
        "trace.record": "Record",
        "trace.signer_roles": "roles",
        "trace.verify_step": "Verify",
        "trace.entry_link": "Entry",
        "trace.next": "Next steps",
        "trace.first": "First steps",
        "trace.stage.proposal": "Proposal",
        "trace.stage.forum_decision": "Musrenbang forum",
        "trace.stage.rkpd": "RKPD (regional work plan)",
        "trace.stage.funding_link": "Funding link",
        "trace.stage.appropriation": "DPA (appropriation)",
        "trace.stage.revision": "Revision",
        "trace.stage.shift": "Shift",
        "trace.stage.allotment": "Cash plan",
        "trace.stage.komponen": "Komponen (budget detail)",
        "trace.stage.rup": "RUP (procurement plan)",
        "trace.stage.package": "Package",
        "trace.stage.tender": "Tender stage",
        "trace.stage.award": "Award",
        "trace.stage.contract": "Contract",
        "trace.stage.contract_amendment": "Contract amendment",
        "trace.stage.commitment": "Commitment",
        "trace.stage.commitment_released": "Commitment released",
        "trace.stage.payment_request": "Payment request",
        "trace.stage.payment_request_decided": "Payment request decided",
        "trace.stage.payment": "Payment (SP2D)",
        "trace.stage.reversal": "Reversal",
        "trace.stage.contract_end": "Contract end",
        "trace.stage.other": "Other",
        "verify.check.trace_seq": "Entry {seq} is this step's entry",
        "verify.fail.trace_seq": "The bundle does not hold this step's entry",
        "error.unknown_tender": "Tender {code} was not found.",
        "error.unknown_vendor": "Vendor {code} was not found.",
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
