"""Demo budget: a believable kabupaten's APBD and a year of postings.

"Kabupaten Contoh": fifteen perangkat daerah (dinas, badan, RSUD, kecamatan), about
three hundred budget lines with Permendagri 90/2019 codes and Indonesian names,
the APBD murni, monthly anggaran kas, contracts and SP2D payments through the year,
a pergeseran in June, the APBD perubahan in September and one corrected SP2D. The
lines that fund the procurement demo's tenders (``TENDER_LINES``) are appropriated and
allotted here and otherwise left to the tenders (``procurement.demo``).

The codes and names follow the shape of Kepmendagri 050-5889/2021 (the updated
nomenclature of Permendagri 90/2019); the numbers of some sub kegiatan and accounts
are illustrative, not an official list, and every amount is invented.

Deterministic: the same fiscal year always yields the same postings (a seeded
random generator, posting ids numbered in order). The fiscal year is the one before
the ledger clock's year, so a whole year of value dates lies in the past. Idempotent:
``load_budget_demo`` skips every registration and posting the log already holds.

Time: the year is logged on ``terang demo``'s simulated clock (``SimulatedLog``): the
registrations, the DPA and the anggaran kas on 2 January, every other posting on its
day (a payment's or commitment's value date; the pergeseran on 1 June, the APBD
perubahan on 1 September), in the order of those days, merged with the procurement
demo's tenders (``procurement.demo._schedule``) so the clock only moves forward.

Every posting is checked while it is generated, by running the real reducers on an
in-memory state; the plan asks for realistic amounts and the simulation trims them to
what the rules allow (cash allotted to date, commitment remaining), so the generated
year is valid by construction.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from nacl.signing import SigningKey
from sqlalchemy import select

from budgeting import statements as st
from budgeting.namespaces import NS_LINE, NS_POSTING_ID, STRUCTURE_NAMESPACES
from budgeting.reducers import MONTHS, Context, apply_statement
from ledger import storage
from ledger.errors import InvariantBroken, TerangError
from ledger.keys import client_key_id
from ledger.sequencer import Sequencer
from ledger.service import Ledger
from ledger.signing import make_signed
from ledger.state import DictState, Document, Overlay
from ledger.statement import SignedStatement, Statement, format_time

KABUPATEN = "Kabupaten Contoh"
RUPIAH = 100  # sen
JUTA = 1_000_000 * RUPIAH
ROUND_SEN = 1000 * RUPIAH  # budgets are set in thousands of rupiah

URUSAN = {
    "1": "Urusan Pemerintahan Wajib yang Berkaitan dengan Pelayanan Dasar",
    "2": "Urusan Pemerintahan Wajib yang Tidak Berkaitan dengan Pelayanan Dasar",
    "3": "Urusan Pemerintahan Pilihan",
    "4": "Unsur Pendukung Urusan Pemerintahan",
    "5": "Unsur Penunjang Urusan Pemerintahan",
    "6": "Unsur Pengawasan Urusan Pemerintahan",
    "7": "Unsur Kewilayahan",
}
BIDANG_URUSAN = {
    "1.01": "Urusan Pemerintahan Bidang Pendidikan",
    "1.02": "Urusan Pemerintahan Bidang Kesehatan",
    "1.03": "Urusan Pemerintahan Bidang Pekerjaan Umum dan Penataan Ruang",
    "1.06": "Urusan Pemerintahan Bidang Sosial",
    "2.15": "Urusan Pemerintahan Bidang Perhubungan",
    "2.16": "Urusan Pemerintahan Bidang Komunikasi dan Informatika",
    "2.20": "Urusan Pemerintahan Bidang Statistik",
    "2.21": "Urusan Pemerintahan Bidang Persandian",
    "3.27": "Urusan Pemerintahan Bidang Pertanian",
    "4.01": "Sekretariat Daerah",
    "5.01": "Perencanaan",
    "5.02": "Keuangan",
    "5.05": "Penelitian dan Pengembangan",
    "6.01": "Inspektorat Daerah",
    "7.01": "Kecamatan",
}

# (code, name, size): size scales the OPD's routine spending (staff, offices).
OPDS = (
    ("1.01.0.00.0.00.01.0000", "Dinas Pendidikan dan Kebudayaan", 12),
    ("1.02.0.00.0.00.01.0000", "Dinas Kesehatan", 6),
    ("1.02.0.00.0.00.02.0000", "RSUD dr. H. Soemarno", 5),
    ("1.03.0.00.0.00.01.0000", "Dinas Pekerjaan Umum dan Penataan Ruang", 3),
    ("1.06.0.00.0.00.01.0000", "Dinas Sosial", 1),
    ("2.15.0.00.0.00.01.0000", "Dinas Perhubungan", 1),
    ("2.16.2.20.2.21.01.0000", "Dinas Komunikasi, Informatika, Statistik dan Persandian", 1),
    ("3.27.0.00.0.00.01.0000", "Dinas Pertanian dan Ketahanan Pangan", 2),
    ("4.01.0.00.0.00.01.0000", "Sekretariat Daerah", 3),
    ("5.01.5.05.0.00.01.0000", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah", 1),
    ("5.02.0.00.0.00.01.0000", "Badan Pengelolaan Keuangan dan Aset Daerah", 2),
    ("6.01.0.00.0.00.01.0000", "Inspektorat Daerah", 1),
    ("7.01.0.00.0.00.01.0000", "Kecamatan Kota", 1),
    ("7.01.0.00.0.00.02.0000", "Kecamatan Sukamaju", 1),
    ("7.01.0.00.0.00.03.0000", "Kecamatan Tanjung Harapan", 1),
)
UNITS = (("1.02.0.00.0.00.01.0001", "UPTD Puskesmas Kota"),)
BPKAD = "5.02.0.00.0.00.01.0000"
RSUD = "1.02.0.00.0.00.02.0000"
DINKES = "1.02.0.00.0.00.01.0000"

# The support programme every OPD runs under its first bidang urusan ("X.XX" below).
SUPPORT_PROGRAMME = "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH KABUPATEN/KOTA"
SUPPORT_KEGIATAN = {
    "01.2.02": "Administrasi Keuangan Perangkat Daerah",
    "01.2.06": "Administrasi Umum Perangkat Daerah",
    "01.2.07": "Pengadaan Barang Milik Daerah Penunjang Urusan Pemerintah Daerah",
    "01.2.08": "Penyediaan Jasa Penunjang Urusan Pemerintahan Daerah",
    "01.2.09": "Pemeliharaan Barang Milik Daerah Penunjang Urusan Pemerintahan Daerah",
}
SUPPORT_SUB_KEGIATAN = {
    "01.2.02.0001": "Penyediaan Gaji dan Tunjangan ASN",
    "01.2.06.0001": "Penyediaan Komponen Instalasi Listrik/Penerangan Bangunan Kantor",
    "01.2.06.0004": "Penyediaan Bahan Logistik Kantor",
    "01.2.06.0005": "Penyediaan Barang Cetakan dan Penggandaan",
    "01.2.06.0009": "Penyelenggaraan Rapat Koordinasi dan Konsultasi SKPD",
    "01.2.07.0002": "Pengadaan Kendaraan Dinas Operasional atau Lapangan",
    "01.2.08.0002": "Penyediaan Jasa Komunikasi, Sumber Daya Air dan Listrik",
    "01.2.08.0004": "Penyediaan Jasa Pelayanan Umum Kantor",
    "01.2.09.0002": (
        "Penyediaan Jasa Pemeliharaan, Biaya Pemeliharaan, Pajak dan Perizinan Kendaraan"
        " Dinas Operasional atau Lapangan"
    ),
    "01.2.09.0009": "Pemeliharaan/Rehabilitasi Gedung Kantor dan Bangunan Lainnya",
}

# Technical programmes: program, kegiatan and sub kegiatan codes with names.
PROGRAMMES = {
    "1.01.02": "PROGRAM PENGELOLAAN PENDIDIKAN",
    "1.02.02": ("PROGRAM PEMENUHAN UPAYA KESEHATAN PERORANGAN DAN UPAYA KESEHATAN MASYARAKAT"),
    "1.03.03": "PROGRAM PENGELOLAAN DAN PENGEMBANGAN SISTEM PENYEDIAAN AIR MINUM",
    "1.03.10": "PROGRAM PENYELENGGARAAN JALAN",
    "1.06.05": "PROGRAM PERLINDUNGAN DAN JAMINAN SOSIAL",
    "2.15.02": "PROGRAM PENYELENGGARAAN LALU LINTAS DAN ANGKUTAN JALAN (LLAJ)",
    "2.16.03": "PROGRAM APLIKASI INFORMATIKA",
    "3.27.03": "PROGRAM PENYEDIAAN DAN PENGEMBANGAN PRASARANA PERTANIAN",
    "4.01.03": "PROGRAM PEREKONOMIAN DAN PEMBANGUNAN",
    "5.01.02": "PROGRAM PERENCANAAN, PENGENDALIAN DAN EVALUASI PEMBANGUNAN DAERAH",
    "5.02.02": "PROGRAM PENGELOLAAN KEUANGAN DAERAH",
    "6.01.02": "PROGRAM PENYELENGGARAAN PENGAWASAN",
    "7.01.02": "PROGRAM PENYELENGGARAAN PEMERINTAHAN DAN PELAYANAN PUBLIK",
    "7.01.03": "PROGRAM PEMBERDAYAAN MASYARAKAT DESA DAN KELURAHAN",
}
KEGIATAN = {
    "1.01.02.2.01": "Pengelolaan Pendidikan Sekolah Dasar",
    "1.01.02.2.02": "Pengelolaan Pendidikan Sekolah Menengah Pertama",
    "1.02.02.2.01": (
        "Penyediaan Fasilitas Pelayanan Kesehatan untuk UKM dan UKP Kewenangan Daerah"
        " Kabupaten/Kota"
    ),
    "1.02.02.2.02": (
        "Penyediaan Layanan Kesehatan untuk UKM dan UKP Rujukan Tingkat Daerah Kabupaten/Kota"
    ),
    "1.02.02.2.06": "Pengelolaan Sistem Informasi Kesehatan",
    "1.03.03.2.01": "Pengelolaan dan Pengembangan SPAM di Daerah Kabupaten/Kota",
    "1.03.10.2.01": "Penyelenggaraan Jalan Kabupaten/Kota",
    "1.06.05.2.02": "Pengelolaan Data Fakir Miskin Cakupan Daerah Kabupaten/Kota",
    "2.15.02.2.02": "Penyediaan Perlengkapan Jalan di Jalan Kabupaten/Kota",
    "2.16.03.2.02": "Pengelolaan e-Government di Lingkup Pemerintah Daerah Kabupaten/Kota",
    "3.27.03.2.01": "Pembangunan Prasarana Pertanian",
    "4.01.03.2.04": "Pelaksanaan Kebijakan Pengadaan Barang dan Jasa",
    "5.01.02.2.01": "Penyusunan Perencanaan dan Pendanaan",
    "5.02.02.2.01": "Penyusunan Rencana Anggaran Pendapatan dan Belanja Daerah",
    "5.02.02.2.06": "Pengelolaan Dana Darurat dan Mendesak",
    "5.02.02.2.07": "Pengelolaan Bantuan Keuangan kepada Desa",
    "6.01.02.2.01": "Penyelenggaraan Pengawasan Internal",
    "7.01.02.2.01": "Penyelenggaraan Urusan Pemerintahan Umum di Tingkat Kecamatan",
    "7.01.03.2.01": "Fasilitasi Pemberdayaan Masyarakat Desa dan Kelurahan",
}

# Accounts: every code with its ancestors' names (the chain is registered parent first).
ACCOUNTS = {
    "4": "Pendapatan Daerah",
    "4.1": "Pendapatan Asli Daerah (PAD)",
    "4.1.01": "Pajak Daerah",
    "4.1.01.09": "Pajak Reklame",
    "4.1.01.09.01": "Pajak Reklame Papan/Billboard/Videotron/Megatron",
    "4.1.01.09.01.0001": "Pajak Reklame Papan/Billboard/Videotron/Megatron",
    "4.1.01.12": "Pajak Penerangan Jalan",
    "4.1.01.12.01": "Pajak Penerangan Jalan yang Dihasilkan Sendiri",
    "4.1.01.12.01.0001": "Pajak Penerangan Jalan yang Dihasilkan Sendiri",
    "4.1.01.16": "Pajak Bumi dan Bangunan Perdesaan dan Perkotaan (PBB-P2)",
    "4.1.01.16.01": "PBB-P2",
    "4.1.01.16.01.0001": "PBB-P2 Perdesaan",
    "4.1.02": "Retribusi Daerah",
    "4.1.02.01": "Retribusi Jasa Umum",
    "4.1.02.01.01": "Retribusi Pelayanan Kesehatan",
    "4.1.02.01.01.0001": "Retribusi Pelayanan Kesehatan di Puskesmas",
    "4.1.04": "Lain-lain PAD yang Sah",
    "4.1.04.16": "Pendapatan BLUD",
    "4.1.04.16.01": "Pendapatan BLUD",
    "4.1.04.16.01.0001": "Pendapatan BLUD dari Jasa Layanan",
    "4.2": "Pendapatan Transfer",
    "4.2.01": "Pendapatan Transfer Pemerintah Pusat",
    "4.2.01.01": "Dana Perimbangan",
    "4.2.01.01.01": "Dana Bagi Hasil (DBH)",
    "4.2.01.01.01.0001": "DBH Pajak Penghasilan Pasal 21",
    "4.2.01.01.02": "Dana Alokasi Umum (DAU)",
    "4.2.01.01.02.0001": "DAU",
    "4.2.01.01.03": "Dana Alokasi Khusus (DAK) Fisik",
    "4.2.01.01.03.0001": "DAK Fisik-Bidang Pendidikan",
    "4.2.01.01.03.0005": "DAK Fisik-Bidang Kesehatan dan KB",
    "4.2.01.01.03.0009": "DAK Fisik-Bidang Jalan",
    "5": "Belanja Daerah",
    "5.1": "Belanja Operasi",
    "5.1.01": "Belanja Pegawai",
    "5.1.01.01": "Belanja Gaji dan Tunjangan ASN",
    "5.1.01.01.01": "Belanja Gaji Pokok ASN",
    "5.1.01.01.01.0001": "Belanja Gaji Pokok PNS",
    "5.1.01.01.02": "Belanja Tunjangan Keluarga ASN",
    "5.1.01.01.02.0001": "Belanja Tunjangan Keluarga PNS",
    "5.1.01.01.03": "Belanja Tunjangan Jabatan ASN",
    "5.1.01.01.03.0001": "Belanja Tunjangan Jabatan PNS",
    "5.1.01.02": "Belanja Tambahan Penghasilan ASN",
    "5.1.01.02.01": "Tambahan Penghasilan berdasarkan Beban Kerja ASN",
    "5.1.01.02.01.0001": "Tambahan Penghasilan berdasarkan Beban Kerja PNS",
    "5.1.02": "Belanja Barang dan Jasa",
    "5.1.02.01": "Belanja Barang",
    "5.1.02.01.01": "Belanja Barang Pakai Habis",
    "5.1.02.01.01.0004": "Belanja Bahan-Bahan Bakar dan Pelumas",
    "5.1.02.01.01.0024": "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Tulis Kantor",
    "5.1.02.01.01.0025": "Belanja Alat/Bahan untuk Kegiatan Kantor-Kertas dan Cover",
    "5.1.02.01.01.0026": "Belanja Alat/Bahan untuk Kegiatan Kantor-Bahan Cetak",
    "5.1.02.01.01.0031": "Belanja Alat/Bahan untuk Kegiatan Kantor-Alat Listrik",
    "5.1.02.01.01.0052": "Belanja Makanan dan Minuman Rapat",
    "5.1.02.02": "Belanja Jasa",
    "5.1.02.02.01": "Belanja Jasa Kantor",
    "5.1.02.02.01.0013": "Belanja Jasa Tenaga Pendukung Administrasi/Teknis Perkantoran",
    "5.1.02.02.01.0059": "Belanja Tagihan Telepon",
    "5.1.02.02.01.0060": "Belanja Tagihan Air",
    "5.1.02.02.01.0061": "Belanja Tagihan Listrik",
    "5.1.02.02.01.0063": "Belanja Kawat/Faksimili/Internet/TV Berlangganan",
    "5.1.02.02.04": "Belanja Jasa Konsultansi Konstruksi",
    "5.1.02.02.04.0004": (
        "Belanja Jasa Konsultansi Perencanaan Rekayasa-Jasa Desain Rekayasa untuk Transportasi"
    ),
    "5.1.02.02.04.0036": "Belanja Jasa Konsultansi Pengawasan Rekayasa-Jasa Pengawas Jalan",
    "5.1.02.02.05": "Belanja Jasa Konsultansi Non Konstruksi",
    "5.1.02.02.05.0008": "Belanja Jasa Konsultansi Pengembangan Sistem Informasi",
    "5.1.02.03": "Belanja Pemeliharaan",
    "5.1.02.03.02": "Belanja Pemeliharaan Peralatan dan Mesin",
    "5.1.02.03.02.0035": "Belanja Pemeliharaan Alat Angkutan-Kendaraan Bermotor Penumpang",
    "5.1.02.03.02.0120": "Belanja Pemeliharaan Komputer-Peralatan Jaringan",
    "5.1.02.03.03": "Belanja Pemeliharaan Gedung dan Bangunan",
    "5.1.02.03.03.0001": "Belanja Pemeliharaan Bangunan Gedung-Bangunan Gedung Kantor",
    "5.1.02.04": "Belanja Perjalanan Dinas",
    "5.1.02.04.01": "Belanja Perjalanan Dinas Dalam Negeri",
    "5.1.02.04.01.0001": "Belanja Perjalanan Dinas Biasa",
    "5.1.02.04.01.0003": "Belanja Perjalanan Dinas Dalam Kota",
    "5.1.06": "Belanja Bantuan Sosial",
    "5.1.06.01": "Belanja Bantuan Sosial kepada Individu",
    "5.1.06.01.01": "Belanja Bantuan Sosial Uang yang Direncanakan kepada Individu",
    "5.1.06.01.01.0001": "Belanja Bantuan Sosial Uang kepada Keluarga Miskin",
    "5.2": "Belanja Modal",
    "5.2.02": "Belanja Modal Peralatan dan Mesin",
    "5.2.02.02": "Belanja Modal Alat Angkutan",
    "5.2.02.02.01": "Belanja Modal Alat Angkutan Darat Bermotor",
    "5.2.02.02.01.0003": "Belanja Modal Kendaraan Bermotor Penumpang",
    "5.2.02.02.01.0004": "Belanja Modal Kendaraan Bermotor Khusus (Ambulans)",
    "5.2.02.05": "Belanja Modal Alat Kantor dan Rumah Tangga",
    "5.2.02.05.01": "Belanja Modal Alat Kantor",
    "5.2.02.05.01.0005": "Belanja Modal Alat Penyimpan Perlengkapan Kantor",
    "5.2.02.05.02": "Belanja Modal Alat Rumah Tangga",
    "5.2.02.05.02.0001": "Belanja Modal Mebel",
    "5.2.02.07": "Belanja Modal Alat Kedokteran dan Kesehatan",
    "5.2.02.07.01": "Belanja Modal Alat Kedokteran",
    "5.2.02.07.01.0001": "Belanja Modal Alat Kedokteran Umum",
    "5.2.02.10": "Belanja Modal Komputer",
    "5.2.02.10.01": "Belanja Modal Komputer Unit",
    "5.2.02.10.01.0002": "Belanja Modal Personal Computer",
    "5.2.03": "Belanja Modal Gedung dan Bangunan",
    "5.2.03.01": "Belanja Modal Bangunan Gedung",
    "5.2.03.01.01": "Belanja Modal Bangunan Gedung Tempat Kerja",
    "5.2.03.01.01.0001": "Belanja Modal Bangunan Gedung Kantor",
    "5.2.03.01.01.0007": "Belanja Modal Bangunan Kesehatan",
    "5.2.03.01.01.0013": "Belanja Modal Bangunan Gedung Tempat Pendidikan",
    "5.2.04": "Belanja Modal Jalan, Irigasi, dan Jaringan",
    "5.2.04.01": "Belanja Modal Jalan dan Jembatan",
    "5.2.04.01.01": "Belanja Modal Jalan",
    "5.2.04.01.01.0003": "Belanja Modal Jalan Kabupaten",
    "5.2.04.01.01.0012": "Belanja Modal Perlengkapan Jalan (Rambu dan Marka)",
    "5.2.04.02": "Belanja Modal Bangunan Air",
    "5.2.04.02.04": "Belanja Modal Bangunan Air Bersih/Air Baku",
    "5.2.04.02.04.0001": "Belanja Modal Jaringan Pipa Distribusi Air Bersih",
    "5.2.04.02.01": "Belanja Modal Bangunan Air Irigasi",
    "5.2.04.02.01.0006": "Belanja Modal Saluran Irigasi Tersier",
    "5.3": "Belanja Tidak Terduga",
    "5.3.01": "Belanja Tidak Terduga",
    "5.3.01.01": "Belanja Tidak Terduga",
    "5.3.01.01.01": "Belanja Tidak Terduga",
    "5.3.01.01.01.0001": "Belanja Tidak Terduga",
    "5.4": "Belanja Transfer",
    "5.4.02": "Belanja Bantuan Keuangan",
    "5.4.02.05": "Belanja Bantuan Keuangan kepada Pemerintahan Desa",
    "5.4.02.05.01": "Belanja Bantuan Keuangan Umum kepada Pemerintahan Desa",
    "5.4.02.05.01.0001": "Alokasi Dana Desa (ADD)",
    "6": "Pembiayaan Daerah",
    "6.1": "Penerimaan Pembiayaan Daerah",
    "6.1.01": "Sisa Lebih Perhitungan Anggaran Tahun Sebelumnya (SiLPA)",
    "6.1.01.01": "SiLPA",
    "6.1.01.01.01": "SiLPA Tahun Anggaran Sebelumnya",
    "6.1.01.01.01.0001": "SiLPA Tahun Anggaran Sebelumnya",
    "6.2": "Pengeluaran Pembiayaan Daerah",
    "6.2.02": "Penyertaan Modal Daerah",
    "6.2.02.01": "Penyertaan Modal Daerah",
    "6.2.02.01.01": "Penyertaan Modal Daerah pada BUMD",
    "6.2.02.01.01.0001": "Penyertaan Modal pada Perumda Air Minum Tirta Contoh",
}
FUNDING_SOURCES = {
    "PAD": "Pendapatan Asli Daerah",
    "DAU": "Dana Alokasi Umum",
    "DBH": "Dana Bagi Hasil",
    "DAK-FISIK": "Dana Alokasi Khusus Fisik",
    "BLUD": "Pendapatan Badan Layanan Umum Daerah",
    "SILPA": "Sisa Lebih Perhitungan Anggaran",
}

PAYROLL_ACCOUNTS = (
    ("5.1.01.01.01.0001", 600),
    ("5.1.01.01.02.0001", 60),
    ("5.1.01.01.03.0001", 45),
    ("5.1.01.02.01.0001", 300),
)  # millions of rupiah per unit of OPD size
OFFICE_LINES = (
    ("01.2.06.0001", "5.1.02.01.01.0031", "goods", 40),
    ("01.2.06.0004", "5.1.02.01.01.0024", "goods", 120),
    ("01.2.06.0004", "5.1.02.01.01.0025", "goods", 60),
    ("01.2.06.0005", "5.1.02.01.01.0026", "goods", 80),
    ("01.2.06.0009", "5.1.02.01.01.0052", "goods", 150),
    ("01.2.06.0009", "5.1.02.04.01.0001", "goods", 250),
    ("01.2.08.0002", "5.1.02.02.01.0059", "utility", 40),
    ("01.2.08.0002", "5.1.02.02.01.0060", "utility", 60),
    ("01.2.08.0002", "5.1.02.02.01.0061", "utility", 300),
    ("01.2.08.0002", "5.1.02.02.01.0063", "utility", 90),
    ("01.2.09.0002", "5.1.02.03.02.0035", "contract", 200),
)  # (support sub kegiatan suffix, account, behaviour, millions per unit of OPD size)

# (OPD, sub kegiatan, name, [(account, behaviour, millions, funding)])
TECHNICAL = (
    (
        "1.01.0.00.0.00.01.0000",
        "1.01.02.2.01.0009",
        "Rehabilitasi Sedang/Berat Ruang Kelas Sekolah",
        [("5.2.03.01.01.0013", "contract", 14_500, "DAK-FISIK")],
    ),
    (
        "1.01.0.00.0.00.01.0000",
        "1.01.02.2.01.0026",
        "Pengadaan Perlengkapan Sekolah",
        [
            ("5.2.02.05.01.0005", "contract", 3_200, "DAU"),
            ("5.2.02.10.01.0002", "contract", 4_100, "DAK-FISIK"),
        ],
    ),
    (
        "1.01.0.00.0.00.01.0000",
        "1.01.02.2.02.0003",
        "Pembangunan Ruang Kelas Baru",
        [
            ("5.2.03.01.01.0013", "contract", 9_800, "DAK-FISIK"),
            ("5.1.02.02.01.0013", "goods", 1_200, "DAU"),
        ],
    ),
    (
        "1.02.0.00.0.00.01.0000",
        "1.02.02.2.01.0003",
        "Pembangunan Puskesmas",
        [("5.2.03.01.01.0007", "contract", 7_600, "DAK-FISIK")],
    ),
    (
        "1.02.0.00.0.00.01.0000",
        "1.02.02.2.01.0014",
        "Pengadaan Alat Kesehatan/Alat Penunjang Medik Fasilitas Pelayanan Kesehatan",
        [("5.2.02.07.01.0001", "contract", 5_400, "DAK-FISIK")],
    ),
    (
        "1.02.0.00.0.00.01.0000",
        "1.02.02.2.02.0025",
        "Pengelolaan Jaminan Kesehatan Masyarakat",
        [("5.1.02.02.01.0013", "goods", 2_100, "DAU")],
    ),
    (
        "1.02.0.00.0.00.02.0000",
        "1.02.02.2.02.0036",
        "Operasional Pelayanan Rumah Sakit",
        [
            ("5.1.02.01.01.0004", "goods", 1_800, "BLUD"),
            ("5.1.02.02.01.0013", "goods", 6_500, "BLUD"),
            ("5.2.02.07.01.0001", "contract", 8_900, "BLUD"),
        ],
    ),
    (
        "1.03.0.00.0.00.01.0000",
        "1.03.03.2.01.0003",
        "Pembangunan SPAM Jaringan Perpipaan di Kawasan Perdesaan",
        [("5.2.04.02.04.0001", "contract", 6_300, "DAU")],
    ),
    (
        "1.03.0.00.0.00.01.0000",
        "1.03.10.2.01.0013",
        "Rekonstruksi Jalan",
        [
            ("5.2.04.01.01.0003", "contract", 24_000, "DAK-FISIK"),
            ("5.1.02.02.04.0036", "contract", 950, "DAU"),
        ],
    ),
    (
        "1.03.0.00.0.00.01.0000",
        "1.03.10.2.01.0022",
        "Pemeliharaan Berkala Jalan",
        [("5.2.04.01.01.0003", "contract", 11_500, "DAU")],
    ),
    (
        "1.06.0.00.0.00.01.0000",
        "1.06.05.2.02.0001",
        "Pendataan Fakir Miskin Cakupan Daerah Kabupaten/Kota",
        [("5.1.06.01.01.0001", "grant", 3_600, "DAU"), ("5.1.02.01.01.0026", "goods", 180, "DAU")],
    ),
    (
        "2.15.0.00.0.00.01.0000",
        "2.15.02.2.02.0001",
        "Pengadaan Perlengkapan Jalan",
        [("5.2.04.01.01.0012", "contract", 2_750, "DAU")],
    ),
    (
        "2.16.2.20.2.21.01.0000",
        "2.16.03.2.02.0005",
        "Pengembangan Aplikasi dan Proses Bisnis Pemerintahan Berbasis Elektronik",
        [
            ("5.1.02.02.05.0008", "contract", 1_400, "DAU"),
            ("5.2.02.10.01.0002", "contract", 850, "PAD"),
        ],
    ),
    (
        "3.27.0.00.0.00.01.0000",
        "3.27.03.2.01.0002",
        "Pembangunan, Rehabilitasi dan Pemeliharaan Jaringan Irigasi Usaha Tani",
        [("5.2.04.02.01.0006", "contract", 4_800, "DAU")],
    ),
    (
        "4.01.0.00.0.00.01.0000",
        "4.01.03.2.04.0001",
        "Pengelolaan Pengadaan Barang/Jasa",
        [("5.1.02.02.01.0013", "goods", 640, "PAD"), ("5.1.02.01.01.0052", "goods", 120, "PAD")],
    ),
    (
        "5.01.5.05.0.00.01.0000",
        "5.01.02.2.01.0006",
        "Koordinasi Penyusunan Dokumen RKPD",
        [("5.1.02.01.01.0052", "goods", 210, "PAD"), ("5.1.02.04.01.0001", "goods", 260, "PAD")],
    ),
    (
        "5.02.0.00.0.00.01.0000",
        "5.02.02.2.01.0001",
        "Koordinasi dan Penyusunan KUA dan PPAS",
        [("5.1.02.01.01.0052", "goods", 190, "PAD")],
    ),
    (
        "5.02.0.00.0.00.01.0000",
        "5.02.02.2.06.0001",
        "Pengelolaan Belanja Tidak Terduga",
        [("5.3.01.01.01.0001", "emergency", 5_000, "DAU")],
    ),
    (
        "5.02.0.00.0.00.01.0000",
        "5.02.02.2.07.0001",
        "Penyaluran Alokasi Dana Desa",
        [("5.4.02.05.01.0001", "transfer", 96_000, "DAU")],
    ),
    (
        "6.01.0.00.0.00.01.0000",
        "6.01.02.2.01.0001",
        "Pengawasan Kinerja Pemerintah Daerah",
        [("5.1.02.04.01.0003", "goods", 320, "DAU")],
    ),
)
KECAMATAN_SUB = (
    (
        "7.01.02.2.01.0002",
        "Koordinasi Penyelenggaraan Pelayanan Publik di Kecamatan",
        [("5.1.02.01.01.0052", "goods", 85, "DAU")],
    ),
    (
        "7.01.03.2.01.0001",
        "Fasilitasi Kegiatan Pemberdayaan Masyarakat Desa",
        [("5.1.02.04.01.0003", "goods", 110, "DAU"), ("5.1.02.01.01.0026", "goods", 45, "DAU")],
    ),
)
SETDA = "4.01.0.00.0.00.01.0000"
EDUCATION = "1.01.0.00.0.00.01.0000"
PUPR = "1.03.0.00.0.00.01.0000"
# Lines that fund the procurement demo's tenders (``procurement.demo``): appropriated and
# allotted here, committed and paid only by the tenders' awards and SP2D, so the budget
# demo's own postings leave them alone (behaviour "tender"). One line per OPD and account
# a tender's title calls for, funded apart from the OPD's other lines on that account.
# (OPD, sub kegiatan, account, funding, millions of rupiah)
TENDER_LINES = (
    (EDUCATION, "1.01.02.2.01.0009", "5.2.03.01.01.0013", "DAU", 4_000),
    (EDUCATION, "1.01.02.2.01.0026", "5.2.02.05.02.0001", "DAU", 1_500),
    (EDUCATION, "1.01.02.2.01.0026", "5.2.02.05.01.0005", "PAD", 800),
    (EDUCATION, "1.01.02.2.01.0026", "5.2.02.10.01.0002", "DAU", 1_200),
    (DINKES, "1.02.02.2.01.0003", "5.2.03.01.01.0007", "DAU", 3_500),
    (DINKES, "1.02.02.2.01.0014", "5.2.02.07.01.0001", "DAU", 1_500),
    (DINKES, "1.02.02.2.01.0020", "5.2.02.02.01.0004", "DAU", 1_000),
    (DINKES, "1.02.02.2.06.0001", "5.2.02.10.01.0002", "DAU", 700),
    (RSUD, "1.02.02.2.02.0036", "5.1.02.02.01.0013", "DAU", 400),
    (RSUD, "1.02.02.2.02.0036", "5.2.02.07.01.0001", "DAU", 800),
    (PUPR, "1.03.10.2.01.0022", "5.2.04.01.01.0003", "PAD", 5_500),
    (PUPR, "1.03.03.2.01.0003", "5.2.04.02.04.0001", "PAD", 900),
    (PUPR, "1.03.10.2.01.0013", "5.1.02.02.04.0004", "DAU", 500),
    ("2.15.0.00.0.00.01.0000", "2.15.02.2.02.0001", "5.2.04.01.01.0012", "PAD", 600),
    ("2.16.2.20.2.21.01.0000", "2.16.03.2.02.0005", "5.1.02.02.05.0008", "PAD", 600),
    ("2.16.2.20.2.21.01.0000", "2.16.03.2.02.0005", "5.1.02.03.02.0120", "PAD", 250),
    ("3.27.0.00.0.00.01.0000", "3.27.03.2.01.0002", "5.2.04.02.01.0006", "PAD", 1_000),
    (SETDA, "4.01.01.2.07.0002", "5.2.02.02.01.0003", "DAU", 1_000),
    (SETDA, "4.01.01.2.08.0004", "5.1.02.02.01.0013", "DAU", 500),
    (SETDA, "4.01.01.2.06.0009", "5.1.02.01.01.0052", "DAU", 400),
    (SETDA, "4.01.01.2.06.0004", "5.1.02.01.01.0024", "DAU", 250),
    (SETDA, "4.01.01.2.09.0002", "5.1.02.03.02.0035", "DAU", 300),
    (SETDA, "4.01.01.2.09.0009", "5.1.02.03.03.0001", "DAU", 300),
    ("7.01.0.00.0.00.02.0000", "7.01.01.2.09.0009", "5.2.03.01.01.0001", "DAU", 1_500),
)
TENDER_SUB_KEGIATAN = {
    "1.02.02.2.01.0020": "Pengadaan Sarana di Fasilitas Pelayanan Kesehatan",
    "1.02.02.2.06.0001": "Pengelolaan Sistem Informasi Kesehatan",
}
REVENUE = (
    (BPKAD, "4.1.01.09.01.0001", "PAD", 0.012, "even"),
    (BPKAD, "4.1.01.12.01.0001", "PAD", 0.018, "even"),
    (BPKAD, "4.1.01.16.01.0001", "PAD", 0.014, "pbb"),
    (DINKES, "4.1.02.01.01.0001", "PAD", 0.006, "even"),
    (RSUD, "4.1.04.16.01.0001", "BLUD", 0.045, "even"),
    (BPKAD, "4.2.01.01.01.0001", "DBH", 0.055, "quarter"),
    (BPKAD, "4.2.01.01.02.0001", "DAU", 0.62, "even"),
    (BPKAD, "4.2.01.01.03.0001", "DAK-FISIK", 0.08, "tranche"),
    (BPKAD, "4.2.01.01.03.0005", "DAK-FISIK", 0.035, "tranche"),
    (BPKAD, "4.2.01.01.03.0009", "DAK-FISIK", 0.07, "tranche"),
)  # (OPD, account, funding source, share of belanja, receipt pattern)
VENDORS = (
    "CV Maju Jaya Konstruksi",
    "PT Sinar Terang Abadi",
    "CV Karya Mandiri Sejahtera",
    "PT Bangun Nusantara Persada",
    "CV Tirta Anugerah",
    "PT Medika Prima Utama",
    "CV Cahaya Komputindo",
    "PT Rekayasa Jalan Raya",
    "CV Berkah Tani Makmur",
    "PT Global Solusi Digital",
    "CV Mitra Bengkel Sentosa",
    "PT Karya Beton Perkasa",
)
CASH_PLANS: dict[str, list[float]] = {
    # Share of the budget allotted per month (percent), by behaviour.
    "payroll": [100 / 12] * 12,
    "utility": [100 / 12] * 12,
    "transfer": [0, 0, 25, 0, 0, 25, 0, 0, 25, 0, 0, 25],
    "goods": [25, 0, 0, 25, 0, 0, 25, 0, 0, 25, 0, 0],
    "grant": [0, 0, 0, 50, 0, 0, 0, 0, 0, 50, 0, 0],
    "emergency": [100 / 12] * 12,
    "contract": [0, 0, 5, 10, 0, 20, 0, 20, 0, 20, 0, 25],
    "even": [100 / 12] * 12,
    "pbb": [0, 0, 0, 0, 0, 20, 20, 30, 20, 10, 0, 0],
    "quarter": [0, 0, 25, 0, 0, 25, 0, 0, 25, 0, 0, 25],
    "tranche": [0, 0, 0, 30, 0, 0, 45, 0, 0, 25, 0, 0],
    "silpa": [100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    "capital": [0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0],
    "tender": [0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
}


@dataclass
class _LinePlan:
    line_id: str
    behaviour: str
    amount_sen: int
    description: str


@dataclass
class DemoBudget:
    """The demo's statements in log order; reversals name what they reverse by posting id.

    ``days[i]`` is the day ``postings[i]`` is logged on the demo's simulated clock: its value
    date, or the day of the act (the DPA on 2 January, the pergeseran on 1 June, the APBD
    perubahan on 1 September). The postings are in the order of their days."""

    year: int
    structure: list[st.Posting] = field(default_factory=list)
    postings: list[st.Posting | _Reversal] = field(default_factory=list)
    days: list[date] = field(default_factory=list)
    lines: int = 0


@dataclass(frozen=True)
class _Reversal:
    subject: str
    posting_id: str
    reverses_posting_id: str
    reason: str

    @property
    def key(self) -> str:
        return self.posting_id


def _round(sen: float) -> int:
    return max(ROUND_SEN, int(sen) // ROUND_SEN * ROUND_SEN)


def _spread(total: int, percents: Sequence[float]) -> list[tuple[int, int]]:
    """(month, sen) per month with a share, rounded to rupiah, the remainder last."""
    months = [(index + 1, share) for index, share in enumerate(percents) if share]
    out: list[tuple[int, int]] = []
    left = total
    for position, (month, share) in enumerate(months):
        amount = left if position == len(months) - 1 else int(total * share / 100) // 100 * 100
        out.append((month, amount))
        left -= amount
    return [(month, amount) for month, amount in out if amount]


def structure_postings(year: int) -> list[st.Posting]:
    """Registrations: the fiscal year, the programme classification, accounts, funding
    sources and OPDs, each after its parent."""
    out = [st.structure("fiscal_year", str(year), f"APBD {KABUPATEN} Tahun Anggaran {year}")]
    programme: dict[str, str] = dict(URUSAN)
    programme.update(BIDANG_URUSAN)
    for opd_code, _, _ in OPDS:
        first = opd_code[:4]
        programme[f"{first}.01"] = SUPPORT_PROGRAMME
        for suffix, name in SUPPORT_KEGIATAN.items():
            programme[f"{first}.{suffix}"] = name
        for suffix, name in SUPPORT_SUB_KEGIATAN.items():
            programme[f"{first}.{suffix}"] = name
    programme.update(PROGRAMMES)
    programme.update(KEGIATAN)
    for _, sub, name, _ in TECHNICAL:
        programme[sub] = name
    for sub, name, _ in KECAMATAN_SUB:
        programme[sub] = name
    programme.update(TENDER_SUB_KEGIATAN)
    by_depth = sorted(programme, key=lambda code: (code.count("."), code))
    out += [st.structure("programme", code, programme[code]) for code in by_depth]
    accounts = sorted(ACCOUNTS, key=lambda code: (code.count("."), code))
    out += [st.structure("account", code, ACCOUNTS[code]) for code in accounts]
    out += [st.structure("funding_source", code, name) for code, name in FUNDING_SOURCES.items()]
    out += [st.structure("opd", code, name) for code, name, _ in OPDS]
    out += [st.structure("opd", code, name) for code, name in UNITS]
    return out


def _line_plans(year: int, rng: random.Random) -> list[_LinePlan]:
    plans: list[_LinePlan] = []

    def add(
        opd: str, sub: str | None, account: str, funding: str, behaviour: str, sen: float
    ) -> None:
        line = f"{year}:{opd}:{sub or '-'}:{account}:{funding}"
        plans.append(_LinePlan(line, behaviour, _round(sen), ACCOUNTS[account]))

    for opd, _, size in OPDS:
        first = opd[:4]
        for account, millions in PAYROLL_ACCOUNTS:
            add(
                opd,
                f"{first}.01.2.02.0001",
                account,
                "DAU",
                "payroll",
                millions * size * JUTA * rng.uniform(0.85, 1.15),
            )
        funding = "BLUD" if opd == RSUD else rng.choice(("DAU", "DAU", "PAD"))
        for suffix, account, behaviour, millions in OFFICE_LINES:
            if rng.random() < 0.15:  # not every OPD budgets every office line
                continue
            scale = size**0.5 * rng.uniform(0.7, 1.3)
            add(opd, f"{first}.{suffix}", account, funding, behaviour, millions * JUTA * scale)
    for opd, sub, _, accounts in TECHNICAL:
        for account, behaviour, millions, funding in accounts:
            add(opd, sub, account, funding, behaviour, millions * JUTA * rng.uniform(0.9, 1.1))
    for opd, _, _ in OPDS:
        if opd.startswith("7.01"):
            for sub, _, accounts in KECAMATAN_SUB:
                for account, behaviour, millions, funding in accounts:
                    add(
                        opd,
                        sub,
                        account,
                        funding,
                        behaviour,
                        millions * JUTA * rng.uniform(0.8, 1.2),
                    )
    # The tenders' lines draw nothing from ``rng``: adding one leaves every other amount as it was.
    tendered = [
        _LinePlan(line_id, "tender", _round(millions * JUTA), ACCOUNTS[line_id.split(":")[3]])
        for line_id, millions in tender_lines(year)
    ]
    belanja = sum(plan.amount_sen for plan in plans + tendered)
    silpa = _round(belanja * 0.04)
    capital = _round(belanja * 0.006)
    add(BPKAD, None, "6.1.01.01.01.0001", "SILPA", "silpa", silpa)
    add(BPKAD, None, "6.2.02.01.01.0001", "PAD", "capital", capital)
    needed = belanja - silpa + capital  # a balanced APBD: pendapatan + pembiayaan netto
    shares = sum(share for _, _, _, share, _ in REVENUE)
    for opd, account, funding, share, pattern in REVENUE:
        add(opd, None, account, funding, pattern, needed * share / shares)
    plans += tendered
    if len({plan.line_id for plan in plans}) != len(plans):
        raise InvariantBroken("two demo budget plans name the same line")
    return plans


def tender_lines(year: int) -> list[tuple[str, int]]:
    """(line id, millions of rupiah) of the lines that fund the demo's tenders
    (``TENDER_LINES``), as ``procurement.demo`` finds them."""
    return [
        (f"{year}:{opd}:{sub}:{account}:{funding}", millions)
        for opd, sub, account, funding, millions in TENDER_LINES
    ]


class _Simulation:
    """The demo's postings applied to an in-memory state by the real reducers."""

    def __init__(self, year: int) -> None:
        self.state = DictState()
        self.seq = 0
        self.year = year
        self.logged_at = f"{year + 1}-01-15T00:00:00.000Z"
        self.posted: list[st.Posting | _Reversal] = []
        self.days: list[date] = []
        self.day = date(year, 1, 2)
        """The day of what is posted now (a posting's value date, when later, wins)."""
        self.seq_of: dict[str, int] = {}

    def apply(self, posting: st.Posting) -> None:
        self.seq += 1
        statement = Statement(
            posting.type, posting.subject, "0" * 64, self.logged_at, posting.nonce, posting.body
        )
        staged = Overlay(self.state)
        try:
            apply_statement(staged, statement, Context(self.seq, self.logged_at))
        except Exception as error:  # the generator asked for something the rules refuse
            raise InvariantBroken(f"demo posting {posting.key} refused: {error}") from error
        staged.commit()
        self.seq_of[posting.key] = self.seq

    def post(self, posting: st.Posting, day: date | None = None) -> None:
        self.apply(posting)
        self.posted.append(posting)
        value = posting.body.get("date")
        self.days.append(
            day or max(self.day, date.fromisoformat(value) if isinstance(value, str) else self.day)
        )

    def reverse(
        self, subject: str, posting_id: str, reverses: str, reason: str, day: date | None = None
    ) -> None:
        self.apply(st.reversal(subject, posting_id, self.seq_of[reverses], reason))
        self.posted.append(_Reversal(subject, posting_id, reverses, reason))
        self.days.append(day or self.day)

    def line(self, line_id: str) -> Document:
        return self.state.documents[(NS_LINE, line_id)]

    def cash_headroom(self, line_id: str, month: int) -> int:
        """What a payment dated in ``month`` may take under the cash allotted to date."""
        line = self.line(line_id)
        allotted = paid = 0
        room = None
        for index in range(MONTHS):
            allotted += line["allotted_by_month"][index]
            paid += line["realised_by_month"][index]
            if index >= month - 1:
                room = allotted - paid if room is None else min(room, allotted - paid)
        return max(0, room or 0)

    def payable(self, line_id: str, month: int, commitment: Document | None, wanted: int) -> int:
        line = self.line(line_id)
        cap: int = (
            commitment["amount_sen"] - commitment["paid_sen"]
            if commitment is not None
            else line["available_sen"]
        )
        return max(0, min(wanted, cap, self.cash_headroom(line_id, month)) // 100 * 100)


def build_demo(year: int) -> DemoBudget:
    """The whole demo year, generated and checked in memory."""
    rng = random.Random(f"terang-demo-{year}")  # noqa: S311 (demo data, not secrets)
    demo = DemoBudget(year, structure=structure_postings(year))
    sim = _Simulation(year)
    for posting in demo.structure:
        sim.apply(posting)
    plans = _line_plans(year, rng)
    demo.lines = len(plans)
    counter = {"DPA": 0, "AK": 0, "SPK": 0, "SP2D": 0, "STS": 0, "APBDP": 0, "PG": 0, "X": 0}

    def next_id(prefix: str) -> str:
        counter[prefix] += 1
        return f"{prefix}-{year}-{counter[prefix]:05d}"

    murni = f"Perda {KABUPATEN} Nomor 9 Tahun {year - 1} tentang APBD Tahun Anggaran {year}"
    for plan in plans:
        sim.post(
            st.appropriation(
                plan.line_id,
                next_id("DPA"),
                plan.amount_sen,
                description=plan.description,
                document=murni,
            )
        )
    for plan in plans:
        months = _spread(plan.amount_sen, CASH_PLANS[plan.behaviour])
        sim.post(st.allotment(plan.line_id, next_id("AK"), months, document="DPA/anggaran kas"))

    _rincian(sim, plans, year)

    contracts: dict[str, list[tuple[str, int]]] = {}  # line -> [(commitment id, month)]
    shifted = False
    for month in range(1, MONTHS + 1):
        day = date(year, month, 1)
        sim.day = day
        if month == 6:
            shifted = _pergeseran(sim, plans, next_id, rng)
        if month == 9:
            _perubahan(sim, plans, next_id, rng, year)
        for plan in plans:
            if plan.behaviour != "tender":  # the procurement demo's tenders spend these
                _month_of(sim, plan, month, day, next_id, rng, contracts)
        if month == 8:
            _correction(sim, plans, next_id, year)
    if not shifted:
        raise InvariantBroken("the demo's pergeseran found no line to take from")
    # In the order of their days (stable: a day's postings keep the order they were made
    # in), checked again by the reducers in that order: this is the order they are logged.
    order = sorted(range(len(sim.posted)), key=lambda index: sim.days[index])
    demo.postings = [sim.posted[index] for index in order]
    demo.days = [sim.days[index] for index in order]
    check = _Simulation(year)
    for posting in demo.structure:
        check.apply(posting)
    for item in demo.postings:
        if isinstance(item, _Reversal):
            check.reverse(item.subject, item.posting_id, item.reverses_posting_id, item.reason)
        else:
            check.post(item)
    return demo


SSH_ITEMS = (
    st.PriceItem("2.1.1.01.01.01.004", "Honorarium Narasumber", "OJ", 900_000 * RUPIAH, "SSH"),
    st.PriceItem("1.1.7.01.03.01.001", "Kertas HVS A4 70 gram", "rim", 52_000 * RUPIAH, "SSH"),
    st.PriceItem("1.1.7.01.03.09.005", "Lem Aqua/Aibon", "kaleng", 18_500 * RUPIAH, "SSH"),
    st.PriceItem("1.1.7.01.08.01.001", "Makan dan minum rapat", "OK", 45_000 * RUPIAH, "SSH"),
    st.PriceItem(
        "3.1.1.01.01.01.002", "Pengawasan pekerjaan konstruksi", "OB", 9_000_000 * RUPIAH, "HSPK"
    ),
)
"""The demo's standard price list (SSH and HSPK items the tender lines' komponen use)."""


def _rincian(sim: _Simulation, plans: list[_LinePlan], year: int) -> None:
    """2 January: the year's SSH, and the komponen of every tender line (their budgets
    never move in the demo, so the komponen stay in step): the works or goods package
    itself (priced from no standard: its HPS comes from the tender), its supervision
    from the HSPK, a coordination meeting and the rapat's paper from the SSH; every
    fourth line pays its narasumber above the SSH, with the reason given."""
    list_id = f"SSH-{year}"
    sim.post(
        st.price_list(
            list_id,
            f"{list_id}-V1-001",
            1,
            list(SSH_ITEMS),
            name=f"Standar Satuan Harga {KABUPATEN} Tahun {year}",
            document=f"Peraturan Bupati Nomor 40 Tahun {year - 1} tentang Standar Harga Satuan",
        )
    )
    honor, kertas, _, makan, pengawasan = SSH_ITEMS
    tender_plans = [plan for plan in plans if plan.behaviour == "tender"]
    for index, plan in enumerate(tender_plans):
        budget = sim.line(plan.line_id)["budget_sen"]
        above = index % 4 == 0
        parts = [
            st.KomponenSpec(
                honor.uraian,
                "2",
                honor.satuan,
                1_200_000 * RUPIAH if above else honor.unit_price_sen,
                list_id,
                honor.code,
                reason="narasumber dari kementerian, sesuai surat undangan" if above else None,
            ),
            st.KomponenSpec(
                makan.uraian, "40", makan.satuan, makan.unit_price_sen, list_id, makan.code
            ),
            st.KomponenSpec(
                kertas.uraian, "5", kertas.satuan, kertas.unit_price_sen, list_id, kertas.code
            ),
        ]
        if budget >= 1_000 * JUTA:
            parts.append(
                st.KomponenSpec(
                    pengawasan.uraian,
                    "6",
                    pengawasan.satuan,
                    pengawasan.unit_price_sen,
                    list_id,
                    pengawasan.code,
                )
            )
        rest = budget - sum(int(part.volume) * part.unit_price_sen for part in parts)
        package = st.KomponenSpec(plan.description or "Paket pekerjaan", "1", "paket", rest)
        sim.post(
            st.komponen_set(
                plan.line_id,
                f"RINCIAN-{year}-{index + 1:05d}",
                [package, *parts],
                document=f"DPA-SKPD {plan.line_id.split(':')[1]} Tahun {year}",
            )
        )


def _pergeseran(sim: _Simulation, plans: list[_LinePlan], next_id: Any, rng: random.Random) -> bool:
    """June: three OPDs move money from office supplies to meetings (within the OPD)."""
    done = 0
    by_opd: dict[str, list[_LinePlan]] = {}
    for plan in plans:
        if plan.behaviour == "goods":
            by_opd.setdefault(plan.line_id.split(":")[1], []).append(plan)
    for opd in sorted(by_opd):
        goods = by_opd[opd]
        source = next((p for p in goods if ":5.1.02.01.01.0024:" in p.line_id), None)
        target = next((p for p in goods if ":5.1.02.01.01.0052:" in p.line_id), None)
        if (
            source is None
            or target is None
            or source.line_id.split(":")[4] != target.line_id.split(":")[4]
        ):
            continue
        amount = sim.line(source.line_id)["available_sen"] // 10 // ROUND_SEN * ROUND_SEN
        if amount <= 0:
            continue
        sim.post(
            st.shift(
                next_id("PG"),
                [(source.line_id, -amount), (target.line_id, amount)],
                document=f"Perbup Nomor {21 + done} tentang Perubahan Penjabaran APBD",
                description="Pergeseran ATK ke makan minum rapat koordinasi",
            )
        )
        done += 1
        if done == 3:
            break
    return done > 0


def _perubahan(
    sim: _Simulation, plans: list[_LinePlan], next_id: Any, rng: random.Random, year: int
) -> None:
    """September: the APBD perubahan returns tender savings and tops up utilities."""
    document = (
        f"Perda {KABUPATEN} Nomor 7 Tahun {year} tentang Perubahan APBD Tahun Anggaran {year}"
    )
    for plan in plans:
        line = sim.line(plan.line_id)
        if plan.behaviour == "contract" and line["committed_sen"] and rng.random() < 0.6:
            savings = line["available_sen"] // 2 // ROUND_SEN * ROUND_SEN
            if savings > 0:
                sim.post(
                    st.revision(
                        plan.line_id,
                        next_id("APBDP"),
                        -savings,
                        document=document,
                        description="Sisa tender dikembalikan",
                    )
                )
        elif plan.behaviour == "utility" and rng.random() < 0.4:
            extra = _round(plan.amount_sen * rng.uniform(0.05, 0.15))
            sim.post(st.revision(plan.line_id, next_id("APBDP"), extra, document=document))
            sim.post(
                st.allotment(plan.line_id, next_id("AK"), _spread(extra, [0] * 9 + [34, 33, 33]))
            )


def _month_of(
    sim: _Simulation,
    plan: _LinePlan,
    month: int,
    day: date,
    next_id: Any,
    rng: random.Random,
    contracts: dict[str, list[tuple[str, int]]],
) -> None:
    """One month of postings on one line, by its behaviour."""
    line_id = plan.line_id
    budget = plan.amount_sen
    behaviour = plan.behaviour
    # The BUD issues SP2D in weekly runs (the 5th, 12th and 19th), so a month's payments
    # are logged on three days, each day's in one batch.
    sp2d_day = day.replace(day=5 + 7 * (rng.randrange(20) // 7))

    def pay(amount: int, commitment: str | None = None, when: date = sp2d_day) -> None:
        doc = (
            None
            if commitment is None
            else sim.state.documents[("budgeting.commitment", commitment)]
        )
        fitted = sim.payable(line_id, when.month, doc, amount)
        if fitted > 0:
            kind = "LS" if commitment or behaviour in ("payroll", "transfer", "grant") else "GU"
            sim.post(
                st.payment(
                    line_id,
                    next_id("SP2D"),
                    fitted,
                    when,
                    commitment=commitment,
                    document=f"SP2D-{kind}",
                )
            )

    def receive(amount: int) -> None:
        sim.post(st.payment(line_id, next_id("STS"), amount // 100 * 100, sp2d_day, document="STS"))

    if behaviour in ("payroll", "utility", "emergency" if month in (2, 11) else ""):
        share = 1 / 12 if behaviour != "emergency" else rng.uniform(0.1, 0.2)
        pay(int(budget * share * rng.uniform(0.9, 0.99)))
    elif behaviour in ("goods", "transfer", "grant") and any(
        m == month for m, _ in _spread(budget, CASH_PLANS[behaviour])
    ):
        share = {"goods": 0.25, "transfer": 0.25, "grant": 0.5}[behaviour]
        pay(int(budget * share * rng.uniform(0.8, 1.0)))
    elif behaviour == "capital" and month == 10:
        pay(budget)
    elif behaviour == "contract":
        _contract_month(sim, plan, month, day, next_id, rng, contracts, pay)
    elif behaviour in ("even", "pbb", "quarter", "tranche", "silpa"):
        share = CASH_PLANS[behaviour][month - 1] / 100
        if share:
            receive(int(budget * share * rng.uniform(0.9, 1.08)))


def _contract_month(
    sim: _Simulation,
    plan: _LinePlan,
    month: int,
    day: date,
    next_id: Any,
    rng: random.Random,
    contracts: dict[str, list[tuple[str, int]]],
    pay: Any,
) -> None:
    line_id = plan.line_id
    if month == 2 + len(line_id) % 4 and line_id not in contracts:
        contracts[line_id] = []
        parts = 2 if plan.amount_sen > 5_000 * JUTA and rng.random() < 0.5 else 1
        value = sim.line(line_id)["available_sen"] * rng.uniform(0.84, 0.97) / parts
        for index in range(parts):
            commitment_id = next_id("SPK")
            number = commitment_id.rsplit("-", 1)[1]
            sim.post(
                st.commitment(
                    line_id,
                    commitment_id,
                    int(value) // ROUND_SEN * ROUND_SEN,
                    day.replace(day=10 + index),
                    f"SPK/{number}/{line_id.split(':')[1][:4]}/{sim.year}",
                    ocid=f"ocds-terang-contoh-{sim.year}-{number}",
                    vendor=VENDORS[(len(contracts) + index) % len(VENDORS)],
                    description=plan.description,
                )
            )
            contracts[line_id].append((commitment_id, month))
        return
    for commitment_id, signed_month in contracts.get(line_id, []):
        commitment = sim.state.documents[("budgeting.commitment", commitment_id)]
        amount = commitment["amount_sen"]
        if month == signed_month + 1:
            pay(int(amount * 0.2), commitment_id)  # uang muka
        elif month in (signed_month + 4, signed_month + 7) and month < 12:
            pay(int(amount * 0.3), commitment_id)  # termin
        elif month == 12 and rng.random() < 0.9:  # most contracts finish in December
            pay(amount, commitment_id)


def _correction(sim: _Simulation, plans: list[_LinePlan], next_id: Any, year: int) -> None:
    """August: an SP2D posted on the wrong line is reversed and posted again."""
    utilities = [p.line_id for p in plans if ":5.1.02.02.01.0061:" in p.line_id]
    water = [p.line_id for p in plans if ":5.1.02.02.01.0060:" in p.line_id]
    pairs = [(u, w) for u in utilities for w in water if u.split(":")[1] == w.split(":")[1]]
    if not pairs:
        return
    wrong, right = pairs[0]
    when = date(year, 8, 12)
    amount = min(
        sim.payable(wrong, 8, None, 7_500_000 * RUPIAH),
        sim.payable(right, 8, None, 7_500_000 * RUPIAH),
    )
    if amount <= 0:
        return
    first = next_id("SP2D")
    sim.post(st.payment(wrong, first, amount, when, document="SP2D-LS tagihan air"))
    reason = "Salah kode rekening: tagihan air, bukan listrik"
    sim.reverse(wrong, next_id("X"), first, reason, day=when)
    sim.post(st.payment(right, next_id("SP2D"), amount, when, document="SP2D-LS tagihan air"))


# -- loading into a ledger ----------------------------------------------------------------


class SimulatedLog:
    """Appends through a sequencer whose clock is set by the demo: ``terang demo`` logs a
    year of history on it, the budget's and the procurement's merged in time order
    (``procurement.demo._schedule``), so its ``logged_at`` only moves forward."""

    def __init__(self, ledger: Ledger) -> None:
        self.now = datetime(2000, 1, 1, tzinfo=UTC)
        self.sequencer = Sequencer(
            ledger.engine,
            ledger.kinds,
            ledger.limits,
            lambda: self.now,
            after_commit=ledger.publisher.publish,
            origin=ledger.origin,
        )
        self.origin = ledger.origin
        self.limits = ledger.limits
        self.statements: Counter[str] = Counter()
        """Statements appended, by room (``budget``, ``procurement``, ``keys``)."""

    def at(self, moment: datetime) -> None:
        """Move the clock forward to ``moment``; never back (a step due earlier than the
        clock is logged at the clock)."""
        self.now = max(self.now, moment)

    def sign(
        self, key: SigningKey, statement_type: str, subject: str, body: dict[str, Any]
    ) -> SignedStatement:
        nonce = (
            "demo-"
            + hashlib.sha256(
                f"{statement_type}\0{subject}\0{client_key_id(key)}\0{format_time(self.now)}".encode()
            ).hexdigest()[:32]
        )
        return make_signed(
            key,
            statement_type,
            subject,
            body,
            at=self.now,
            origin=self.origin,
            nonce=nonce,
            limits=self.limits,
        )

    def append(self, statements: Sequence[SignedStatement], room: str = "procurement") -> None:
        """Log ``statements`` as one atomic batch at the clock's time; a refusal raises."""
        (result,) = self.sequencer.append_batch([statements])
        if isinstance(result, TerangError):
            raise result
        self.statements[room] += len(statements)


def _existing(ledger: Ledger) -> set[tuple[str, str]]:
    """(namespace, key) of every demo-relevant document the projection already holds."""
    namespaces = [NS_POSTING_ID, *STRUCTURE_NAMESPACES.values()]
    p = storage.projection_rows.c
    with ledger.engine.connect() as conn:
        rows = conn.execute(select(p.namespace, p.key).where(p.namespace.in_(namespaces))).all()
    return {(namespace, key) for namespace, key in rows}


def _posting_seq(ledger: Ledger, posting_id: str) -> int:
    p = storage.projection_rows.c
    with ledger.engine.connect() as conn:
        value = conn.execute(
            select(p.value).where(p.namespace == NS_POSTING_ID, p.key == posting_id)
        ).scalar()
    if value is None:
        raise InvariantBroken(f"demo posting {posting_id} should be logged by now")
    return int(json.loads(value)["seq"])


def _batches(
    items: list[st.Posting | _Reversal], size: int
) -> Iterator[list[st.Posting | _Reversal]]:
    """Runs of at most ``size``; a reversal starts a batch of its own (it needs the seq
    of a posting logged by an earlier batch)."""
    batch: list[st.Posting | _Reversal] = []
    for item in items:
        if isinstance(item, _Reversal) or len(batch) == size:
            if batch:
                yield batch
            batch = []
        batch.append(item)
        if isinstance(item, _Reversal):
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class BudgetLoad:
    """What ``load_budget_demo`` logged so far (``steps`` adds to it as the demo runs)."""

    year: int
    lines: int
    structure_registered: int = 0
    posted: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "budget_year": self.year,
            "budget_structure_registered": self.structure_registered,
            "budget_postings": self.posted,
            "budget_lines": self.lines,
        }


POSTING_HOUR_UTC = 3
"""A day's postings are logged at 03:00 UTC (10:00 WIB), after the tenders' 01:00 steps."""


def load_budget_demo(
    ledger: Ledger, finance: SigningKey, log: SimulatedLog
) -> tuple[BudgetLoad, Iterator[datetime]]:
    """Log what of the demo year's start the log does not hold yet, on ``log``'s simulated
    clock at 2 January of the fiscal year (registrations, DPA, anggaran kas); return the
    rest of the year as steps for the demo's scheduler (``procurement.demo._schedule``):
    each yields the moment its day's postings are due, and logs them when resumed."""
    year = ledger.clock().year - 1
    demo = build_demo(year)
    existing = _existing(ledger)
    load = BudgetLoad(year, demo.lines)
    structure = [
        p
        for p in demo.structure
        if (STRUCTURE_NAMESPACES[p.body["kind"]], p.body["code"]) not in existing
    ]
    todo = [
        (day, item)
        for day, item in zip(demo.days, demo.postings, strict=True)
        if (NS_POSTING_ID, item.key) not in existing
    ]
    start = date(year, 1, 2)
    log.at(datetime(year, 1, 2, 1, 0, tzinfo=UTC))
    load.structure_registered = _post(ledger, finance, log, structure)
    load.posted = _post(ledger, finance, log, [item for day, item in todo if day <= start])
    rest = [(day, item) for day, item in todo if day > start]
    return load, _steps(ledger, finance, log, rest, load)


def _steps(
    ledger: Ledger,
    finance: SigningKey,
    log: SimulatedLog,
    todo: list[tuple[date, st.Posting | _Reversal]],
    load: BudgetLoad,
) -> Iterator[datetime]:
    days = sorted({day for day, _ in todo})
    for day in days:
        yield datetime(day.year, day.month, day.day, POSTING_HOUR_UTC, tzinfo=UTC)
        load.posted += _post(ledger, finance, log, [item for d, item in todo if d == day])


def _post(
    ledger: Ledger,
    finance: SigningKey,
    log: SimulatedLog,
    items: Sequence[st.Posting | _Reversal],
) -> int:
    """Sign and log ``items`` at the clock's time, in atomic batches; how many were logged."""
    for batch in _batches(list(items), ledger.limits.batch_statements_max):
        postings = [
            st.reversal(
                item.subject,
                item.posting_id,
                _posting_seq(ledger, item.reverses_posting_id),
                item.reason,
            )
            if isinstance(item, _Reversal)
            else item
            for item in batch
        ]
        signed = [
            posting.sign(finance, at=log.now, origin=log.origin, limits=log.limits)
            for posting in postings
        ]
        log.append(signed, room="budget")
    return len(items)
