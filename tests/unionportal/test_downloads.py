from unionportal.downloads import ascii_fallback, content_disposition


def test_a_chinese_name_keeps_utf8_and_an_ascii_fallback():
    header = content_disposition(
        "2026年第四季度街道总工会考核结果.pdf", fallback="assessment-2026-q4"
    )
    assert header.startswith('attachment; filename="2026.pdf"') or (
        'filename="assessment-2026-q4.pdf"' in header
    )
    assert "filename*=UTF-8''2026%E5%B9%B4" in header


def test_a_name_with_no_latin_letters_uses_the_fallback():
    assert ascii_fallback("工会名册.xlsx", "unions") == "unions.xlsx"


def test_quotes_slashes_and_control_characters_cannot_break_the_header():
    header = content_disposition('a"b/c\x0bd.xlsx')
    assert '"' not in header.split('filename="')[1].split('"')[0]
    assert "\x0b" not in header
    assert "/" not in header.split("filename*=")[1]
