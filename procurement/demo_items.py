"""The items of the demo's packages: what each title says is bought, classified by KBLI 2020.

``procurement.demo`` lists them on every package it creates (``items_for(title)``), so
the demo's OCDS releases carry ``tender.items`` and the red flag R048 (heterogeneous
supplier) has classifications to count. Demonstration data: the quantities are
invented, the codes are KBLI 2020's (Peraturan BPS Nomor 2 Tahun 2020) as Terang's
authors read them for each kind of work or goods, the descriptions shortened. A title
not listed here gets no items (a package without items is valid).
"""

from __future__ import annotations

from typing import Any

BUILDING_HEALTH = ("41015", "Konstruksi gedung kesehatan")
BUILDING_SCHOOL = ("41016", "Konstruksi gedung pendidikan")
BUILDING_OFFICE = ("41012", "Konstruksi gedung perkantoran")
BUILDING_OTHER = ("41019", "Konstruksi gedung lainnya")
ROAD = ("42101", "Konstruksi bangunan sipil jalan")
BRIDGE = ("42102", "Konstruksi bangunan sipil jembatan")
IRRIGATION = ("42201", "Konstruksi jaringan irigasi, komunikasi dan limbah")
CLEAN_WATER = ("42911", "Konstruksi bangunan sipil pengolahan air bersih")
MEDICAL_TRADE = ("46693", "Perdagangan besar alat laboratorium, farmasi dan kedokteran")
COMPUTER_TRADE = ("46511", "Perdagangan besar komputer dan perlengkapan komputer")
STATIONERY_TRADE = ("46497", "Perdagangan besar alat tulis dan gambar")
PRINTING = ("18111", "Industri pencetakan umum")
WOOD_FURNITURE = ("31001", "Industri furnitur dari kayu")
METAL_FURNITURE = ("31004", "Industri furnitur dari logam")
NEW_CARS = ("45101", "Perdagangan besar mobil baru")
CAR_REPAIR = ("45201", "Reparasi mobil")
EVENT_CATERING = ("56210", "Jasa boga untuk suatu event tertentu")
CLEANING = ("81210", "Aktivitas kebersihan umum bangunan")
FACILITY_SERVICES = ("81100", "Aktivitas penyedia gabungan jasa penunjang fasilitas")
STAFFING = ("78200", "Aktivitas penyediaan tenaga kerja waktu tertentu")
IT_CONSULTING = ("62021", "Aktivitas konsultasi komputer")
ENGINEERING = ("71102", "Aktivitas keinsinyuran dan konsultasi teknis")
TRAINING = ("85499", "Pendidikan lainnya")
COMMS_REPAIR = ("95120", "Reparasi peralatan komunikasi")

Item = tuple[str, tuple[str, str], int, str]
"""(description, (KBLI code, its description), quantity, unit)."""

ITEMS: dict[str, tuple[Item, ...]] = {
    "Rehabilitasi gedung puskesmas pembantu": (
        ("Rehabilitasi bangunan puskesmas pembantu", BUILDING_HEALTH, 1, "paket"),
    ),
    "Pengadaan kendaraan operasional": (("Mobil penumpang operasional", NEW_CARS, 2, "unit"),),
    "Pengadaan alat kesehatan puskesmas": (
        ("Tensimeter digital", MEDICAL_TRADE, 20, "unit"),
        ("Timbangan bayi digital", MEDICAL_TRADE, 20, "unit"),
    ),
    "Pembangunan jalan lingkungan": (("Jalan lingkungan rabat beton", ROAD, 1200, "m2"),),
    "Pengadaan laptop untuk sekolah dasar": (("Laptop siswa", COMPUTER_TRADE, 60, "unit"),),
    "Pengadaan meubelair sekolah": (
        ("Meja siswa kayu", WOOD_FURNITURE, 120, "unit"),
        ("Kursi siswa kayu", WOOD_FURNITURE, 120, "unit"),
    ),
    "Rehabilitasi ruang kelas SD Negeri 3": (
        ("Rehabilitasi ruang kelas", BUILDING_SCHOOL, 3, "ruang"),
    ),
    "Pembangunan jalan lingkungan Desa Sukamaju": (
        ("Jalan lingkungan rabat beton", ROAD, 1500, "m2"),
    ),
    "Pengadaan alat kedokteran umum puskesmas": (
        ("Set alat pemeriksaan umum", MEDICAL_TRADE, 10, "set"),
    ),
    "Jasa kebersihan gedung kantor": (("Jasa kebersihan gedung", CLEANING, 12, "bulan"),),
    "Pembangunan jaringan pipa distribusi air bersih": (
        ("Pipa distribusi air bersih terpasang", CLEAN_WATER, 2400, "m"),
    ),
    "Jasa konsultansi pengembangan sistem informasi": (
        ("Konsultansi pengembangan sistem informasi", IT_CONSULTING, 6, "bulan"),
    ),
    "Pemasangan rambu dan marka jalan": (
        ("Rambu lalu lintas terpasang", ROAD, 80, "buah"),
        ("Marka jalan termoplastik", ROAD, 3000, "m2"),
    ),
    "Pengadaan makanan dan minuman rapat koordinasi": (
        ("Paket makan dan minum rapat", EVENT_CATERING, 400, "paket"),
    ),
    "Rehabilitasi saluran irigasi tersier": (
        ("Saluran irigasi tersier direhabilitasi", IRRIGATION, 1800, "m"),
    ),
    "Pengadaan alat penyimpan perlengkapan kantor": (
        ("Lemari arsip besi", METAL_FURNITURE, 40, "unit"),
        ("Filing cabinet besi 4 laci", METAL_FURNITURE, 30, "unit"),
    ),
    "Pembangunan gedung puskesmas pembantu": (
        ("Bangunan puskesmas pembantu", BUILDING_HEALTH, 1, "paket"),
    ),
    "Pemeliharaan kendaraan dinas operasional": (
        ("Servis berkala kendaraan dinas", CAR_REPAIR, 24, "kali"),
    ),
    "Pembangunan ruang kelas baru SMP Negeri 2": (
        ("Ruang kelas baru", BUILDING_SCHOOL, 2, "ruang"),
    ),
    "Pengadaan personal computer untuk sekolah": (
        ("Personal computer desktop", COMPUTER_TRADE, 25, "unit"),
    ),
    "Peningkatan jalan kabupaten ruas Tanjung-Sukamaju": (
        ("Perkerasan aspal jalan kabupaten", ROAD, 4000, "m2"),
    ),
    "Pembangunan gedung sekolah dasar": (("Gedung sekolah dasar", BUILDING_SCHOOL, 1, "paket"),),
    "Rehabilitasi bangunan kesehatan": (
        ("Rehabilitasi bangunan kesehatan", BUILDING_HEALTH, 1, "paket"),
    ),
    "Jasa tenaga pendukung administrasi RSUD": (
        ("Tenaga pendukung administrasi", STAFFING, 6, "orang-tahun"),
    ),
    "Perbaikan jalan kabupaten pascabanjir": (("Perbaikan perkerasan jalan", ROAD, 2500, "m2"),),
    "Pengadaan alat kedokteran RSUD": (
        ("Patient monitor", MEDICAL_TRADE, 8, "unit"),
        ("Infusion pump", MEDICAL_TRADE, 12, "unit"),
    ),
    "Pembangunan pagar dan drainase sekolah": (
        ("Pagar sekolah", BUILDING_SCHOOL, 180, "m"),
        ("Saluran drainase sekolah", IRRIGATION, 180, "m"),
    ),
    "Pembangunan talud penahan tanah jalan kabupaten": (("Talud pasangan batu", ROAD, 350, "m"),),
    "Pengadaan alat tulis kantor dan bahan cetak": (
        ("Alat tulis kantor", STATIONERY_TRADE, 1, "paket"),
        ("Blanko dan formulir cetak", PRINTING, 20000, "lembar"),
    ),
    "Rehabilitasi gedung kantor kecamatan": (
        ("Rehabilitasi gedung kantor", BUILDING_OFFICE, 1, "paket"),
    ),
    "Pengadaan perlengkapan rapat dan konsumsi": (
        ("Perlengkapan rapat", STATIONERY_TRADE, 1, "paket"),
        ("Konsumsi rapat", EVENT_CATERING, 300, "paket"),
    ),
    "Pembangunan sumur bor air bersih": (("Sumur bor air bersih", CLEAN_WATER, 4, "titik"),),
    "Pengadaan komputer jinjing untuk puskesmas": (
        ("Komputer jinjing", COMPUTER_TRADE, 30, "unit"),
    ),
    "Jasa pemeliharaan gedung dan bangunan kantor": (
        ("Pemeliharaan gedung kantor", FACILITY_SERVICES, 12, "bulan"),
    ),
    "Pembangunan jembatan gantung Desa Harapan": (
        ("Jembatan gantung pejalan kaki", BRIDGE, 1, "unit"),
    ),
    "Pengadaan mebel ruang kelas": (("Meja dan kursi siswa kayu", WOOD_FURNITURE, 90, "set"),),
    "Jasa penyelenggaraan pelatihan aparatur": (("Pelatihan aparatur", TRAINING, 60, "orang"),),
    "Pembangunan gedung serbaguna kecamatan": (("Gedung serbaguna", BUILDING_OTHER, 1, "paket"),),
    "Pengadaan ambulans desa": (("Mobil ambulans", NEW_CARS, 2, "unit"),),
    "Jasa konsultansi perencanaan jalan kabupaten": (
        ("Perencanaan teknis jalan kabupaten", ENGINEERING, 4, "bulan"),
    ),
    "Jasa pemeliharaan jaringan internet kantor": (
        ("Pemeliharaan jaringan internet kantor", COMMS_REPAIR, 12, "bulan"),
    ),
    "Pembangunan saluran drainase jalan kota": (("Saluran drainase beton", IRRIGATION, 900, "m"),),
    "Rehabilitasi puskesmas rawat inap Tanjung Harapan": (
        ("Rehabilitasi puskesmas rawat inap", BUILDING_HEALTH, 1, "paket"),
    ),
}


def items_for(title: str) -> dict[str, Any]:
    """``{"items": [...]}`` for a package body (``{}`` for a title without items)."""
    listed = ITEMS.get(title)
    if not listed:
        return {}
    return {
        "items": [
            {
                "id": str(number),
                "description": description,
                "classification": {"scheme": "KBLI", "id": code, "description": name},
                "quantity": quantity,
                "unit": unit,
            }
            for number, (description, (code, name), quantity, unit) in enumerate(listed, 1)
        ]
    }
