"""The workspace's words, Bahasa Indonesia first and English on request.

The language is chosen as on the portal (``portal.i18n.language_of``: ``?lang=`` sets a
cookie, the cookie keeps it), so a person switching language on the portal finds the
workspace in the same language. Keys starting ``js.`` are handed to the page's scripts
(inside the ``workspace-config`` JSON element) for what they write into the page: the
plain-words account of a statement, a receipt, an error. A test holds both catalogues
to the same keys.
"""

from __future__ import annotations

from typing import Final

from portal.i18n import DEFAULT_LANGUAGE

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    "id": {
        "ws.name": "Ruang kerja",
        "ws.tagline": "Tempat menandatangani pernyataan dengan kunci yang tidak pernah keluar "
        "dari peramban Anda.",
        "nav.home": "Ruang kerja",
        "nav.authority": "Otoritas",
        "nav.vendor": "Penyedia",
        "nav.officer": "Pejabat pengadaan",
        "nav.portal": "Portal publik",
        "nav.skip": "Langsung ke isi",
        "lang.switch": "English",
        "noscript": "Ruang kerja membutuhkan JavaScript: kunci dibuat dan pernyataan "
        "ditandatangani di peramban Anda, bukan di server.",
        "demo.note": "Data demo: log ini berisi contoh, bukan anggaran atau pengadaan sungguhan.",
        "key.title": "Kunci Anda",
        "key.none": "Belum ada kunci di peramban ini. Buat kunci baru atau pulihkan dari "
        "berkas cadangan.",
        "key.checking": "Memeriksa kunci di peramban ini…",
        "home.intro": "Setiap tindakan di sini adalah pernyataan bertanda tangan: peramban Anda "
        "menyusunnya, menunjukkannya dengan kata-kata biasa, menandatanganinya dengan kunci "
        "Anda, lalu mengirimkannya ke log. Server hanya menerima pernyataan yang sudah "
        "ditandatangani; tidak ada kata sandi dan tidak ada sesi.",
        "home.generate": "Buat kunci baru",
        "home.generate_intro": "Kunci dibuat di peramban ini dan disimpan di sini tanpa dapat "
        "disalin. Sekali saja, saat dibuat, kunci dienkripsi dengan frasa sandi Anda ke "
        "berkas cadangan yang Anda unduh. Simpan berkas itu dan frasa sandinya di tempat "
        "berbeda: tanpa keduanya, kunci yang hilang tidak dapat dipulihkan.",
        "home.holder": "Nama pemegang kunci",
        "home.holder_hint": "Misalnya: BPKAD — Bendahara Umum, atau nama usaha Anda.",
        "home.passphrase": "Frasa sandi cadangan",
        "home.passphrase_hint": "Paling sedikit {chars_min} karakter. Frasa sandi tidak "
        "dikirim ke mana pun.",
        "home.passphrase_again": "Ulangi frasa sandi",
        "home.generate_button": "Buat kunci dan unduh cadangan",
        "home.restore": "Pulihkan dari berkas cadangan",
        "home.restore_intro": "Pilih berkas cadangan (.terang-key.json) dan masukkan frasa "
        "sandinya, atau berkas kunci terang CLI (terang-ed25519-seed:…). Berkas dibuka di "
        "peramban ini saja.",
        "home.restore_passphrase_hint": "Hanya untuk berkas cadangan; berkas kunci CLI tidak "
        "berfrasa sandi.",
        "home.backup_file": "Berkas cadangan",
        "home.restore_button": "Pulihkan kunci",
        "home.forget": "Lupakan kunci di peramban ini",
        "home.forget_button": "Hapus kunci dari peramban ini",
        "home.lost": "Kunci hilang atau dicuri? Minta otoritas mencabutnya dan mendaftarkan "
        "kunci baru untuk Anda; pernyataan lama tetap sah dan tetap tercatat.",
        "home.next": "Lanjutkan",
        "home.next_authority": "Otoritas: daftarkan kunci, beri dan cabut peran",
        "home.next_vendor": "Penyedia: daftar sendiri dan lihat status aktivasi",
        "home.next_officer": "Pejabat pengadaan: aktifkan penyedia yang telah mendaftar",
        "auth.title": "Otoritas: kunci dan peran",
        "auth.intro": "Otoritas mendaftarkan kunci orang lain, memberi dan mencabut peran, dan "
        "mencabut kunci yang hilang. Setiap formulir di bawah menyusun pernyataan yang "
        "ditandatangani kunci Anda, yang harus memegang peran otoritas.",
        "auth.holders": "Siapa memegang peran apa",
        "auth.holders_caption": "Kunci terdaftar di log (ukuran pohon {size})",
        "auth.col.name": "Pemegang",
        "auth.col.key": "Id kunci",
        "auth.col.roles": "Peran",
        "auth.col.status": "Status",
        "auth.col.registered": "Didaftarkan",
        "auth.status.active": "aktif",
        "auth.status.revoked": "dicabut (entri {seq})",
        "auth.entry": "entri {seq}",
        "auth.no_roles": "tanpa peran",
        "auth.nobody": "tidak seorang pun",
        "auth.truncated": "Hanya {count} kunci pertama yang ditampilkan; daftar lengkap ada di "
        "/api/v1/projections?namespace=registry.key.",
        "auth.register": "Daftarkan kunci",
        "auth.public_key": "Kunci publik (base64, 32 byte)",
        "auth.public_key_hint": "Pemegangnya menyalin kunci publik dari halaman Ruang kerja "
        "di perambannya sendiri.",
        "auth.holder": "Nama pemegang",
        "auth.roles": "Peran awal",
        "auth.grant": "Beri peran",
        "auth.revoke_role": "Cabut peran",
        "auth.revoke_key": "Cabut kunci",
        "auth.key_id": "Id kunci (64 heksadesimal)",
        "auth.role": "Peran",
        "auth.reason": "Alasan",
        "auth.reason_hint": "Misalnya: kunci hilang bersama laptop, dilaporkan 3 Desember.",
        "form.review": "Periksa pernyataan",
        "vendor.title": "Penyedia: pendaftaran",
        "vendor.intro": "Penyedia mendaftar sendiri dengan kuncinya: pernyataan pendaftaran "
        "ditandatangani kunci yang didaftarkannya. Setelah itu pejabat pengadaan memeriksa "
        "dokumen Anda dan mengaktifkan pendaftaran; hanya penyedia aktif yang dapat bertanya, "
        "menawar atau menyanggah.",
        "vendor.status": "Status pendaftaran Anda",
        "vendor.activators": "Yang dapat mengaktifkan penyedia",
        "vendor.activators_intro": "Pemegang peran pejabat pengadaan (procurement_officer) "
        "saat ini:",
        "vendor.activators_none": "Belum ada kunci dengan peran pejabat pengadaan di log ini.",
        "vendor.register": "Daftar sebagai penyedia",
        "vendor.business": "Nama usaha",
        "vendor.npwp": "NPWP",
        "vendor.npwp_hint": "15 digit (99.999.999.9-999.999) atau 16 digit.",
        "vendor.address": "Alamat",
        "vendor.qualification": "Kualifikasi usaha",
        "officer.title": "Pejabat pengadaan: aktivasi penyedia",
        "officer.intro": "Penyedia yang telah mendaftar sendiri menunggu di sini. Periksa "
        "dokumennya (akta, NPWP, izin usaha) di luar sistem ini, lalu aktifkan: pernyataan "
        "aktivasi ditandatangani kunci Anda, yang harus memegang peran pejabat pengadaan "
        "(procurement_officer).",
        "officer.waiting": "Menunggu aktivasi",
        "officer.vendor_id": "Id penyedia (id kunci)",
        "officer.registered_at": "Mendaftar",
        "officer.note": "Catatan (tidak wajib)",
        "officer.note_hint": "Misalnya: akta dan NIB diperiksa 4 Desember, berkas nomor 12/2026.",
        "officer.activate": "Periksa aktivasi",
        "officer.none_waiting": "Tidak ada penyedia yang menunggu aktivasi.",
        "officer.truncated": "Hanya {count} penyedia pertama yang ditampilkan; daftar lengkap "
        "ada di /penyedia?status=registered.",
        "vendor.tenders": "Tender yang sedang dibuka",
        "vendor.tenders_intro": "Unduh dokumen pemilihan di sini: peramban Anda menghitung "
        "SHA-256 berkas yang diterima dan membandingkannya dengan hash yang tercatat di log, "
        "sebelum menyimpannya.",
        "vendor.ocid": "Kode tender (ocid)",
        "vendor.hps": "HPS",
        "vendor.deadline": "Batas penawaran",
        "vendor.check_download": "Unduh dan periksa hash",
        "vendor.no_tenders": "Tidak ada tender yang sedang dibuka.",
        "qualification.mikro": "Mikro",
        "qualification.kecil": "Kecil",
        "qualification.menengah": "Menengah",
        "qualification.besar": "Besar",
        "review.title": "Yang akan Anda tandatangani",
        "review.sign": "Tandatangani dan kirim",
        "review.cancel": "Batal",
        "review.raw": "Pernyataan lengkap (JSON kanonik)",
        "result.title": "Hasil",
        "role.authority": "Otoritas",
        "role.finance": "Keuangan (BPKAD/TAPD)",
        "role.procurement_officer": "Pejabat pengadaan (PPK/UKPBJ)",
        "role.committee_member": "Anggota Pokja",
        "role.vendor": "Penyedia",
        "role.auditor": "Auditor",
        "role.tender_closer": "Penutup tender (server)",
        "role.head_of_region": "Kepala daerah (kontrak tahun jamak)",
        "role.desa_proposer": "Pengusul desa/kelurahan",
        "role.community_proposer": "Pengusul kelompok masyarakat",
        "role.kecamatan_forum": "Musrenbang kecamatan",
        "role.kabupaten_forum": "Forum perangkat daerah / musrenbang kabupaten",
        "role.bappeda": "Bappeda",
        "role.dprd": "DPRD (pokok-pokok pikiran)",
        "js.key.active": "Kunci di peramban ini: {name}",
        "js.key.id": "Id kunci",
        "js.key.public": "Kunci publik (berikan kepada otoritas)",
        "js.key.registered": "Terdaftar di log sejak entri {seq}; peran: {roles}",
        "js.key.unregistered": "Belum terdaftar di log: berikan kunci publik di atas kepada "
        "otoritas, atau daftar sendiri sebagai penyedia.",
        "js.key.revoked": "Kunci ini DICABUT pada entri {seq}: ia tidak dapat menandatangani "
        "lagi. Minta otoritas mendaftarkan kunci baru.",
        "js.key.none": "Belum ada kunci di peramban ini.",
        "js.no_webcrypto": "Peramban ini tidak menyediakan WebCrypto Ed25519 di halaman ini "
        "(perlu HTTPS dan peramban yang baru). Gunakan terang CLI.",
        "js.passphrase_short": "Frasa sandi terlalu pendek: paling sedikit {chars_min} karakter.",
        "js.passphrase_mismatch": "Kedua frasa sandi tidak sama.",
        "js.generating": "Membuat kunci dan mengenkripsi cadangan (beberapa detik)…",
        "js.generated": "Kunci dibuat. Berkas cadangan {file} telah diunduh; simpan di tempat "
        "aman.",
        "js.download_again": "Unduh berkas cadangan lagi",
        "js.restoring": "Membuka berkas cadangan (beberapa detik)…",
        "js.restored": "Kunci {key} dipulihkan dari berkas cadangan.",
        "js.restore_failed": "Berkas cadangan tidak dapat dibuka: {reason}",
        "js.bad_passphrase": "frasa sandi salah, atau berkas telah diubah",
        "js.bad_backup": "bukan berkas cadangan kunci Terang ({format})",
        "js.forgotten": "Kunci dihapus dari peramban ini.",
        "js.need_key": "Buat atau pulihkan kunci dulu di halaman Ruang kerja.",
        "js.signing": "Menandatangani dan mengirim…",
        "js.accepted": "Diterima log sebagai entri {seq}.",
        "js.duplicate": "Sudah tercatat sebelumnya sebagai entri {seq}.",
        "js.refused": "Ditolak ({code}): {message}",
        "js.network": "Log tidak dapat dihubungi: {reason}",
        "js.leaf": "Hash daun",
        "js.receipt": "Unduh tanda terima (.json)",
        "js.reload": "Muat ulang halaman untuk melihat keadaan terbaru",
        "js.cancelled": "Dibatalkan; tidak ada yang ditandatangani.",
        "js.field.type": "Jenis pernyataan",
        "js.field.subject": "Tentang",
        "js.field.signer": "Ditandatangani oleh",
        "js.field.time": "Waktu",
        "js.field.log": "Untuk log",
        "js.field.public_key": "Kunci publik",
        "js.field.name": "Nama",
        "js.field.roles": "Peran",
        "js.field.role": "Peran",
        "js.field.reason": "Alasan",
        "js.field.npwp": "NPWP",
        "js.field.address": "Alamat",
        "js.field.qualification": "Kualifikasi",
        "js.field.amount": "Jumlah",
        "js.say.registry.key.registered": "Anda mendaftarkan kunci {subject} atas nama "
        "{name}, dengan peran: {roles}.",
        "js.say.registry.role.granted": "Anda memberi kunci {subject} ({name}) peran {role}.",
        "js.say.registry.role.revoked": "Anda mencabut peran {role} dari kunci {subject} ({name}).",
        "js.say.registry.key.revoked": "Anda mencabut kunci {subject} ({name}) untuk "
        "selamanya: ia tidak akan dapat menandatangani lagi. Alasan: {reason}.",
        "js.say.procurement.vendor.registered": "Anda mendaftarkan diri sebagai penyedia "
        "{name} (NPWP {npwp}), kualifikasi {qualification}, dengan kunci ini.",
        "js.say.procurement.vendor.activated": "Anda mengaktifkan penyedia {name} ({subject}): "
        "Anda menyatakan telah memeriksa dokumennya. Setelah ini ia dapat bertanya, menawar dan "
        "menyanggah.",
        "js.field.note": "Catatan",
        "js.unknown_name": "nama belum dikenal",
        "js.bad_public_key": "Kunci publik harus base64 dari tepat 32 byte (44 karakter, "
        "diakhiri =), seperti yang ditunjukkan halaman Ruang kerja pemegangnya.",
        "js.bad_key_id": "Id kunci harus 64 digit heksadesimal huruf kecil.",
        "js.none": "tanpa peran",
        "js.vendor.none": "Kunci ini belum terdaftar sebagai penyedia.",
        "js.vendor.registered": "Terdaftar sejak {time}, BELUM AKTIF. Pejabat pengadaan "
        "(peran procurement_officer) memeriksa dokumen Anda lalu mengaktifkan pendaftaran.",
        "js.vendor.active": "AKTIF sejak entri {seq}: Anda dapat bertanya, menawar dan menyanggah.",
        "js.vendor.name": "Nama usaha: {name}; NPWP {npwp}",
        "js.doc.checking": "Mengunduh dan memeriksa…",
        "js.doc.ok": "Hash SHA-256 cocok dengan yang tercatat di log ({size} byte).",
        "js.doc.save": "Simpan {name}",
        "js.doc.bad": "Hash TIDAK cocok dengan yang tercatat di log: ini bukan dokumen "
        "tender yang diumumkan. Jangan gunakan berkas ini.",
        "js.doc.failed": "Dokumen tidak dapat diunduh: {reason}",
        "nav.committee": "Panitia",
        "vendor.bid": "Penawaran tersegel",
        "vendor.price": "Harga penawaran (rupiah)",
        "vendor.price_hint": "Tulis seperti biasa, misalnya 814.000.000 atau 814.000.000,50. "
        "Harga disegel di peramban ini: server dan panitia baru dapat membacanya setelah "
        "pembukaan.",
        "vendor.bid_review": "Segel dan periksa penawaran",
        "vendor.withdraw_review": "Periksa penarikan penawaran",
        "committee.title": "Panitia: kunci kotak dan pembukaan penawaran",
        "committee.intro": "Anggota panitia menerima bagian kunci penawaran yang disegel untuk "
        "kunci kotak X25519-nya. Buat kunci kotak di peramban ini dan daftarkan; setelah tender "
        "ditutup, buka bagian Anda di sini dan lepaskan ke log. Kunci pribadinya tidak pernah "
        "meninggalkan peramban ini.",
        "committee.box": "Kunci kotak Anda",
        "committee.box_make": "Buat dan daftarkan kunci kotak",
        "committee.tenders": "Tender tempat Anda menjadi panitia",
        "committee.tenders_intro": "Tender yang sedang dibuka, ditutup atau dalam pembukaan. "
        "Bagian kunci hanya dapat dilepaskan setelah tender ditutup.",
        "committee.no_tenders": "Tidak ada tender yang sedang dibuka, ditutup atau dalam "
        "pembukaan.",
        "committee.state": "Tahap",
        "committee.state.active": "Dibuka",
        "committee.state.closed": "Ditutup",
        "committee.state.opening": "Pembukaan penawaran",
        "committee.threshold": "Ambang",
        "committee.release": "Buka dan periksa bagian kunci saya",
        "committee.not_on_any": "Kunci Anda tidak termasuk panitia tender mana pun di atas.",
        "js.field.price": "Harga (disegel)",
        "js.field.ciphertext": "Amplop terenkripsi",
        "js.field.ciphertext_sha256": "SHA-256 amplop terenkripsi",
        "js.field.content_sha256": "SHA-256 amplop",
        "js.field.addendum": "Menjawab adendum",
        "js.field.commitments": "Komitmen Feldman",
        "js.field.shares": "Bagian kunci",
        "js.field.x25519_public_key": "Kunci kotak publik (X25519)",
        "js.field.v": "Format penawaran",
        "js.bytes": "{bytes} byte",
        "js.items": "{count} butir",
        "js.bad_price": "Harga tidak terbaca: tulis rupiah seperti 814.000.000 atau "
        "814.000.000,50 (titik pemisah ribuan, koma sebelum sen), lebih dari 0.",
        "js.price_words": "{rupiah} — {words}",
        "js.sealed_note": "Harga ini hanya ada di dalam amplop yang disegel di peramban ini; yang "
        "dikirim hanya amplop terenkripsi dan bagian kunci yang disegel untuk panitia.",
        "js.tender_not_open": "Tender ini tidak sedang menerima penawaran (tahap: {state}).",
        "js.box_missing": "Salah satu anggota panitia belum mendaftarkan kunci kotak.",
        "js.say.procurement.bid.submitted": "Anda mengajukan penawaran tersegel untuk tender "
        "{title} ({subject}) dengan harga {price}. Tidak ada yang dapat membaca harga ini sebelum "
        "pembukaan; Anda dapat mengganti atau menariknya sebelum batas penawaran.",
        "js.say.procurement.bid.replaced": "Anda MENGGANTI penawaran Anda untuk tender {title} "
        "({subject}) dengan penawaran tersegel baru berharga {price}. Penawaran lama tidak "
        "berlaku lagi.",
        "js.say.procurement.bid.withdrawn": "Anda MENARIK penawaran Anda untuk tender {title} "
        "({subject}). Anda dapat mengajukan yang baru sebelum batas penawaran.",
        "js.bid.none": "Anda belum mengajukan penawaran untuk tender ini.",
        "js.bid.active": "Penawaran Anda tercatat di entri {seq} (versi {version}), tersegel.",
        "js.bid.withdrawn": "Penawaran Anda ditarik di entri {seq}.",
        "js.proof.waiting": "Menunggu bukti penyertaan (tlog-proof) dari log…",
        "js.proof.ready": "Tanda terima (bukti penyertaan) diunduh: {file}.",
        "js.proof.again": "Unduh tanda terima lagi ({file})",
        "js.proof.failed": "Bukti penyertaan belum tersedia: {reason}. Ambil nanti dari "
        "/api/v1/entries/{seq}/tlog-proof.",
        "js.box.none": "Belum ada kunci kotak di peramban ini untuk kunci Anda.",
        "js.box.kept": "Kunci kotak di peramban ini (tidak dapat diekspor): {public}",
        "js.box.registered": "Terdaftar di log (entri {seq}).",
        "js.box.not_registered": "BELUM terdaftar di log: kunci kotak yang terdaftar untuk Anda "
        "adalah {registered}.",
        "js.box.unsupported": "Peramban ini tidak mendukung X25519 di WebCrypto; gunakan Chromium "
        "terbaru atau CLI terang.",
        "js.say.procurement.member.box_key_registered": "Anda mendaftarkan kunci kotak X25519 "
        "{public} untuk menerima bagian kunci penawaran tender berikutnya.",
        "js.say.procurement.tender.shares_released": "Anda melepaskan bagian kunci Anda untuk "
        "{count} penawaran tender {title} ({subject}). Setiap bagian diperiksa terhadap komitmen "
        "penyedia sebelum dikirim.",
        "js.release.bad": "Bagian kunci untuk penawaran berikut tidak dapat dibuka atau tidak "
        "cocok dengan komitmen penyedianya, jadi tidak dilepaskan: {bidders}.",
        "js.release.nothing": "Tidak ada bagian kunci yang perlu dilepaskan di tender ini.",
        "js.release.no_box": "Kunci kotak yang disegel untuk Anda di tender ini ({public}) tidak "
        "ada di peramban ini.",
        "js.release.more": "Hanya {count} bagian pertama dilepaskan dalam satu pernyataan; ulangi "
        "untuk sisanya.",
        "js.member.yes": "Anda anggota panitia tender ini (urutan {x}).",
        "js.member.no": "Kunci Anda tidak termasuk panitia tender ini.",
        "js.member.released": "Anda sudah melepaskan bagian kunci di tender ini.",
        "js.release.bad_title": "Tidak dilepaskan",
        "js.release.more_title": "Sisa",
    },
    "en": {
        "ws.name": "Workspace",
        "ws.tagline": "Where you sign statements with a key that never leaves your browser.",
        "nav.home": "Workspace",
        "nav.authority": "Authority",
        "nav.vendor": "Vendor",
        "nav.officer": "Procurement officer",
        "nav.portal": "Public portal",
        "nav.skip": "Skip to content",
        "lang.switch": "Bahasa Indonesia",
        "noscript": "The workspace needs JavaScript: keys are made and statements signed in "
        "your browser, not on the server.",
        "demo.note": "Demo data: this log holds examples, not a real budget or procurement.",
        "key.title": "Your key",
        "key.none": "No key in this browser yet. Make a new key or restore one from its backup "
        "file.",
        "key.checking": "Looking for a key in this browser…",
        "home.intro": "Every action here is a signed statement: your browser builds it, shows "
        "it to you in plain words, signs it with your key and sends it to the log. The server "
        "only ever receives signed statements; there are no passwords and no sessions.",
        "home.generate": "Make a new key",
        "home.generate_intro": "The key is made in this browser and kept here where it cannot "
        "be copied out. Once, while it is made, it is encrypted under your passphrase into a "
        "backup file you download. Keep the file and the passphrase in different places: "
        "without both, a lost key cannot be restored.",
        "home.holder": "Key holder's name",
        "home.holder_hint": "For example: BPKAD — Bendahara Umum, or your business's name.",
        "home.passphrase": "Backup passphrase",
        "home.passphrase_hint": "At least {chars_min} characters. The passphrase is sent nowhere.",
        "home.passphrase_again": "Passphrase again",
        "home.generate_button": "Make the key and download its backup",
        "home.restore": "Restore from a backup file",
        "home.restore_intro": "Choose the backup file (.terang-key.json) and type its "
        "passphrase, or a terang CLI key file (terang-ed25519-seed:…). The file is opened in "
        "this browser only.",
        "home.restore_passphrase_hint": "For a backup file only; a CLI key file has no passphrase.",
        "home.backup_file": "Backup file",
        "home.restore_button": "Restore the key",
        "home.forget": "Forget the key in this browser",
        "home.forget_button": "Remove the key from this browser",
        "home.lost": "Key lost or stolen? Ask the authority to revoke it and register a new "
        "key for you; earlier statements stay valid and stay logged.",
        "home.next": "Next",
        "home.next_authority": "Authority: register keys, grant and revoke roles",
        "home.next_vendor": "Vendor: register yourself and see your activation",
        "home.next_officer": "Procurement officer: activate registered vendors",
        "auth.title": "Authority: keys and roles",
        "auth.intro": "The authority registers other people's keys, grants and revokes roles, "
        "and revokes lost keys. Each form below builds a statement signed by your key, which "
        "must hold the authority role.",
        "auth.holders": "Who holds which role",
        "auth.holders_caption": "Keys registered in the log (tree size {size})",
        "auth.col.name": "Holder",
        "auth.col.key": "Key id",
        "auth.col.roles": "Roles",
        "auth.col.status": "Status",
        "auth.col.registered": "Registered",
        "auth.status.active": "active",
        "auth.status.revoked": "revoked (entry {seq})",
        "auth.entry": "entry {seq}",
        "auth.no_roles": "no role",
        "auth.nobody": "nobody",
        "auth.truncated": "Only the first {count} keys are shown; the whole list is at "
        "/api/v1/projections?namespace=registry.key.",
        "auth.register": "Register a key",
        "auth.public_key": "Public key (base64, 32 bytes)",
        "auth.public_key_hint": "Its holder copies the public key from the Workspace page in "
        "their own browser.",
        "auth.holder": "Holder's name",
        "auth.roles": "Roles to start with",
        "auth.grant": "Grant a role",
        "auth.revoke_role": "Revoke a role",
        "auth.revoke_key": "Revoke a key",
        "auth.key_id": "Key id (64 hex digits)",
        "auth.role": "Role",
        "auth.reason": "Reason",
        "auth.reason_hint": "For example: key lost with a laptop, reported on 3 December.",
        "form.review": "Review the statement",
        "vendor.title": "Vendor: registration",
        "vendor.intro": "A vendor registers itself with its own key: the registration is signed "
        "by the key it registers. A procurement officer then checks your papers and activates "
        "the registration; only an active vendor may ask, bid or object.",
        "vendor.status": "Your registration",
        "vendor.activators": "Who can activate vendors",
        "vendor.activators_intro": "Keys holding the procurement officer role "
        "(procurement_officer) now:",
        "vendor.activators_none": "No key holds the procurement officer role in this log yet.",
        "vendor.register": "Register as a vendor",
        "vendor.business": "Business name",
        "vendor.npwp": "NPWP (tax number)",
        "vendor.npwp_hint": "15 digits (99.999.999.9-999.999) or 16 digits.",
        "vendor.address": "Address",
        "vendor.qualification": "Business size",
        "officer.title": "Procurement officer: activating vendors",
        "officer.intro": "Vendors that registered themselves wait here. Check their papers "
        "(deed, NPWP, business licence) outside this system, then activate them: the "
        "activation is signed by your key, which must hold the procurement officer role "
        "(procurement_officer).",
        "officer.waiting": "Waiting for activation",
        "officer.vendor_id": "Vendor id (key id)",
        "officer.registered_at": "Registered",
        "officer.note": "Note (optional)",
        "officer.note_hint": "For example: deed and NIB checked on 4 December, file 12/2026.",
        "officer.activate": "Review the activation",
        "officer.none_waiting": "No vendor is waiting for activation.",
        "officer.truncated": "Only the first {count} vendors are shown; the whole list is at "
        "/penyedia?status=registered.",
        "vendor.tenders": "Tenders open now",
        "vendor.tenders_intro": "Download the tender documents here: your browser computes the "
        "SHA-256 of the file it receives and compares it with the hash in the log before "
        "saving it.",
        "vendor.ocid": "Tender code (ocid)",
        "vendor.hps": "Owner's estimate (HPS)",
        "vendor.deadline": "Bid deadline",
        "vendor.check_download": "Download and check the hash",
        "vendor.no_tenders": "No tender is open now.",
        "qualification.mikro": "Micro",
        "qualification.kecil": "Small",
        "qualification.menengah": "Medium",
        "qualification.besar": "Large",
        "review.title": "What you are about to sign",
        "review.sign": "Sign and send",
        "review.cancel": "Cancel",
        "review.raw": "The whole statement (canonical JSON)",
        "result.title": "Result",
        "role.authority": "Authority",
        "role.finance": "Finance (BPKAD/TAPD)",
        "role.procurement_officer": "Procurement officer (PPK/UKPBJ)",
        "role.committee_member": "Committee member (Pokja)",
        "role.vendor": "Vendor",
        "role.auditor": "Auditor",
        "role.tender_closer": "Tender closer (server)",
        "role.head_of_region": "Head of region (multi-year contracts)",
        "role.desa_proposer": "Village proposer (desa/kelurahan)",
        "role.community_proposer": "Community proposer",
        "role.kecamatan_forum": "Sub-district forum (musrenbang kecamatan)",
        "role.kabupaten_forum": "District forum (musrenbang kabupaten)",
        "role.bappeda": "Bappeda (planning agency)",
        "role.dprd": "DPRD (council members' proposals)",
        "js.key.active": "Key in this browser: {name}",
        "js.key.id": "Key id",
        "js.key.public": "Public key (give it to the authority)",
        "js.key.registered": "Registered in the log since entry {seq}; roles: {roles}",
        "js.key.unregistered": "Not registered in the log yet: give the public key above to "
        "the authority, or register yourself as a vendor.",
        "js.key.revoked": "This key was REVOKED at entry {seq}: it cannot sign any more. Ask "
        "the authority to register a new key.",
        "js.key.none": "No key in this browser yet.",
        "js.no_webcrypto": "This browser offers no WebCrypto Ed25519 on this page (it needs "
        "HTTPS and a recent browser). Use the terang CLI.",
        "js.passphrase_short": "The passphrase is too short: at least {chars_min} characters.",
        "js.passphrase_mismatch": "The two passphrases differ.",
        "js.generating": "Making the key and encrypting its backup (a few seconds)…",
        "js.generated": "Key made. The backup file {file} was downloaded; keep it safe.",
        "js.download_again": "Download the backup file again",
        "js.restoring": "Opening the backup file (a few seconds)…",
        "js.restored": "Key {key} restored from its backup file.",
        "js.restore_failed": "The backup file cannot be opened: {reason}",
        "js.bad_passphrase": "wrong passphrase, or the file was altered",
        "js.bad_backup": "not a Terang key backup file ({format})",
        "js.forgotten": "The key was removed from this browser.",
        "js.need_key": "Make or restore a key first, on the Workspace page.",
        "js.signing": "Signing and sending…",
        "js.accepted": "Accepted by the log as entry {seq}.",
        "js.duplicate": "Already logged before, as entry {seq}.",
        "js.refused": "Refused ({code}): {message}",
        "js.network": "The log cannot be reached: {reason}",
        "js.leaf": "Leaf hash",
        "js.receipt": "Download the receipt (.json)",
        "js.reload": "Reload the page to see the latest state",
        "js.cancelled": "Cancelled; nothing was signed.",
        "js.field.type": "Statement type",
        "js.field.subject": "About",
        "js.field.signer": "Signed by",
        "js.field.time": "Time",
        "js.field.log": "For the log",
        "js.field.public_key": "Public key",
        "js.field.name": "Name",
        "js.field.roles": "Roles",
        "js.field.role": "Role",
        "js.field.reason": "Reason",
        "js.field.npwp": "NPWP",
        "js.field.address": "Address",
        "js.field.qualification": "Business size",
        "js.field.amount": "Amount",
        "js.say.registry.key.registered": "You register key {subject} in the name of {name}, "
        "with roles: {roles}.",
        "js.say.registry.role.granted": "You grant key {subject} ({name}) the role {role}.",
        "js.say.registry.role.revoked": "You revoke the role {role} from key {subject} ({name}).",
        "js.say.registry.key.revoked": "You revoke key {subject} ({name}) for good: it will "
        "never sign again. Reason: {reason}.",
        "js.say.procurement.vendor.registered": "You register yourself as the vendor {name} "
        "(NPWP {npwp}), business size {qualification}, with this key.",
        "js.say.procurement.vendor.activated": "You activate the vendor {name} ({subject}): you "
        "state that you checked its papers. It may then ask, bid and object.",
        "js.field.note": "Note",
        "js.unknown_name": "name not known yet",
        "js.bad_public_key": "A public key is the base64 of exactly 32 bytes (44 characters, "
        "ending in =), as its holder's Workspace page shows it.",
        "js.bad_key_id": "A key id is 64 lowercase hexadecimal digits.",
        "js.none": "no role",
        "js.vendor.none": "This key is not registered as a vendor.",
        "js.vendor.registered": "Registered since {time}, NOT ACTIVE yet. A procurement officer "
        "(role procurement_officer) checks your papers, then activates the registration.",
        "js.vendor.active": "ACTIVE since entry {seq}: you may ask, bid and object.",
        "js.vendor.name": "Business name: {name}; NPWP {npwp}",
        "js.doc.checking": "Downloading and checking…",
        "js.doc.ok": "The SHA-256 matches the hash in the log ({size} bytes).",
        "js.doc.save": "Save {name}",
        "js.doc.bad": "The hash does NOT match the hash in the log: this is not the announced "
        "tender document. Do not use this file.",
        "js.doc.failed": "The document cannot be downloaded: {reason}",
        "nav.committee": "Committee",
        "vendor.bid": "Sealed bid",
        "vendor.price": "Bid price (rupiah)",
        "vendor.price_hint": "Write it as usual, for example 814,000,000 or 814,000,000.50. The "
        "price is sealed in this browser: neither the server nor the committee can read it before "
        "the opening.",
        "vendor.bid_review": "Seal and review the bid",
        "vendor.withdraw_review": "Review withdrawing the bid",
        "committee.title": "Committee: box key and bid opening",
        "committee.intro": "Committee members receive bid key shares sealed to their X25519 box "
        "key. Make a box key in this browser and register it; after a tender closes, open your "
        "shares here and release them to the log. The private key never leaves this browser.",
        "committee.box": "Your box key",
        "committee.box_make": "Make and register a box key",
        "committee.tenders": "Tenders you sit on",
        "committee.tenders_intro": "Tenders taking bids, closed or being opened. Shares can be "
        "released only after a tender closes.",
        "committee.no_tenders": "No tender is taking bids, closed or being opened.",
        "committee.state": "Stage",
        "committee.state.active": "Open for bids",
        "committee.state.closed": "Closed",
        "committee.state.opening": "Opening bids",
        "committee.threshold": "Threshold",
        "committee.release": "Open and check my key shares",
        "committee.not_on_any": "Your key is on the committee of none of these tenders.",
        "js.field.price": "Price (sealed)",
        "js.field.ciphertext": "Encrypted envelope",
        "js.field.ciphertext_sha256": "SHA-256 of the encrypted envelope",
        "js.field.content_sha256": "SHA-256 of the envelope",
        "js.field.addendum": "Answers addendum",
        "js.field.commitments": "Feldman commitments",
        "js.field.shares": "Key shares",
        "js.field.x25519_public_key": "Public box key (X25519)",
        "js.field.v": "Bid format",
        "js.bytes": "{bytes} bytes",
        "js.items": "{count} items",
        "js.bad_price": "The price cannot be read: write rupiah like 814,000,000 or "
        "814,000,000.50 (commas between thousands, a point before the sen), more than 0.",
        "js.price_words": "{rupiah} — {words}",
        "js.sealed_note": "This price exists only inside the envelope sealed in this browser; "
        "what is sent is the encrypted envelope and the key shares sealed to the committee.",
        "js.tender_not_open": "This tender is not taking bids (stage: {state}).",
        "js.box_missing": "A committee member has not registered a box key.",
        "js.say.procurement.bid.submitted": "You submit a sealed bid for the tender {title} "
        "({subject}) at the price {price}. Nobody can read this price before the opening; you may "
        "replace or withdraw it before the bid deadline.",
        "js.say.procurement.bid.replaced": "You REPLACE your bid for the tender {title} "
        "({subject}) with a new sealed bid at {price}. The old bid no longer counts.",
        "js.say.procurement.bid.withdrawn": "You WITHDRAW your bid for the tender {title} "
        "({subject}). You may submit a new one before the bid deadline.",
        "js.bid.none": "You have not bid for this tender.",
        "js.bid.active": "Your bid is logged at entry {seq} (version {version}), sealed.",
        "js.bid.withdrawn": "Your bid was withdrawn at entry {seq}.",
        "js.proof.waiting": "Waiting for the log's inclusion proof (tlog-proof)…",
        "js.proof.ready": "Receipt (inclusion proof) downloaded: {file}.",
        "js.proof.again": "Download the receipt again ({file})",
        "js.proof.failed": "The inclusion proof is not available yet: {reason}. Fetch it later "
        "from /api/v1/entries/{seq}/tlog-proof.",
        "js.box.none": "No box key in this browser for your key yet.",
        "js.box.kept": "Box key in this browser (not extractable): {public}",
        "js.box.registered": "Registered in the log (entry {seq}).",
        "js.box.not_registered": "NOT registered in the log: the box key registered for you is "
        "{registered}.",
        "js.box.unsupported": "This browser has no X25519 in WebCrypto; use a recent Chromium or "
        "the terang CLI.",
        "js.say.procurement.member.box_key_registered": "You register the X25519 box key {public} "
        "to receive bid key shares of later tenders.",
        "js.say.procurement.tender.shares_released": "You release your key shares of {count} "
        "bid(s) of the tender {title} ({subject}). Each share was checked against the vendor's "
        "commitments before sending.",
        "js.release.bad": "The key shares of these bids could not be opened or do not match their "
        "vendor's commitments, so they are not released: {bidders}.",
        "js.release.nothing": "There is no key share to release in this tender.",
        "js.release.no_box": "The box key this tender sealed to you ({public}) is not in this "
        "browser.",
        "js.release.more": "Only the first {count} shares go in one statement; repeat for the "
        "rest.",
        "js.member.yes": "You sit on this tender's committee (position {x}).",
        "js.member.no": "Your key is not on this tender's committee.",
        "js.member.released": "You have released key shares in this tender.",
        "js.release.bad_title": "Not released",
        "js.release.more_title": "The rest",
    },
}


def translator(language: str) -> dict[str, str]:
    """The workspace's catalogue for ``language``, Indonesian filling any gap."""
    merged = dict(CATALOGUE[DEFAULT_LANGUAGE])
    merged.update(CATALOGUE.get(language, {}))
    return merged


def script_messages(language: str) -> dict[str, str]:
    """The messages the page's scripts write (``js.``, roles, qualifications)."""
    return {
        key: text
        for key, text in translator(language).items()
        if key.startswith(("js.", "role.", "qualification."))
    }
