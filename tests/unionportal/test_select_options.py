from unionportal.templatetags.portal import select_options


def test_select_options_marks_the_chosen_value_and_escapes_labels():
    html = select_options([("", "Any"), (7, "<b>A&B</b>"), ("8", "C")], 7)
    assert html == (
        '<option value="">Any</option>'
        '<option value="7" selected>&lt;b&gt;A&amp;B&lt;/b&gt;</option>'
        '<option value="8">C</option>'
    )


def test_select_options_selects_no_option_that_was_not_chosen():
    assert " selected" not in select_options([("1", "One")], None)
