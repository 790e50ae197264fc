"""Where each of the 34 provinces sits on the tile grid of Vietnam (province code →
(row, column)): roughly its place on the map since the 2025 merger, north at the top,
five columns wide and fifteen rows tall. Codes are those of ``reference.Province``."""

TILE_POSITIONS = {
    # Northern midlands and mountains, Red River delta
    12: (0, 1),  # Lai Châu
    15: (0, 2),  # Lào Cai
    8: (0, 3),  # Tuyên Quang
    4: (0, 4),  # Cao Bằng
    11: (1, 0),  # Điện Biên
    14: (1, 1),  # Sơn La
    25: (1, 2),  # Phú Thọ
    19: (1, 3),  # Thái Nguyên
    20: (1, 4),  # Lạng Sơn
    1: (2, 2),  # Hà Nội
    24: (2, 3),  # Bắc Ninh
    22: (2, 4),  # Quảng Ninh
    37: (3, 2),  # Ninh Bình
    33: (3, 3),  # Hưng Yên
    31: (3, 4),  # Hải Phòng
    # North Central and Central coast
    38: (4, 2),  # Thanh Hóa
    40: (5, 2),  # Nghệ An
    42: (5, 3),  # Hà Tĩnh
    44: (6, 3),  # Quảng Trị
    46: (7, 3),  # Huế
    48: (7, 4),  # Đà Nẵng
    51: (8, 4),  # Quảng Ngãi
    # Central Highlands and the south-central coast
    52: (9, 4),  # Gia Lai
    66: (10, 4),  # Đắk Lắk
    68: (11, 3),  # Lâm Đồng
    56: (11, 4),  # Khánh Hòa
    # South East
    80: (12, 1),  # Tây Ninh
    79: (12, 2),  # Hồ Chí Minh
    75: (12, 3),  # Đồng Nai
    # Mekong delta
    91: (13, 0),  # An Giang
    82: (13, 1),  # Đồng Tháp
    86: (13, 2),  # Vĩnh Long
    96: (14, 0),  # Cà Mau
    92: (14, 1),  # Cần Thơ
}
ROWS = 1 + max(r for r, _c in TILE_POSITIONS.values())
COLUMNS = 1 + max(c for _r, c in TILE_POSITIONS.values())
