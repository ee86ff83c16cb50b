"""Lone-article signals: dangling attributions (cut credits) and leftover rewriting prompts.

Every sentence here is invented; the real-news false-positive checks read the research
corpora at run time (../shared/corpora) and skip when they are absent.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from copydesk.forensics.signals import dangling_attribution, prompt_leftovers, signals
from copydesk.model import Evidence
from copydesk.reading.corpora import read_bbc, read_reuters

# -- dangling attribution: what must be caught -----------------------------------------------

# (sentence, rule, evidence text)
DANGLING = [
    # The specimen's three gaps, in invented sentences of the same shape.
    (
        "A convoy has arrived in the border town – although has been told that such a move "
        "could be a “disaster”.",
        "missing_subject",
        "although has been told that such a",
    ),
    (
        "The claim echoes the rhetoric of last spring – but a harbour pilots' captain told the "
        "move would be a mistake, and expressed confidence in the crews.",
        "told_clause",
        "told the move would be a mistake",
    ),
    (
        "He told “From my perspective, for now, it’s unlikely to happen.”",
        "told_quote",
        "told “From my perspective",
    ),
    # A quotation, a colon or a full stop straight after "told".
    ("The ferry captain told: “We will sail at dawn.”", "told_quote", "told: “We will sail"),
    ("She told. “We are not leaving the valley.”", "told_quote", "told. “We are not"),
    ('The mayor told "Nobody asked the residents."', "told_quote", 'told "Nobody asked the'),
    ("The minister told . He said the budget was safe.", "told_quote", "told ."),
    (
        "The minister told , adding that the budget was safe.",
        "told_quote",
        "told , adding that the",
    ),
    ("A source close to the singer told the that she was heartbroken.", "told_quote", None),
    ("The harbourmaster told's Morning Tide programme the pier was unsafe.", "told_quote", None),
    # A clause with no one told.
    ("A senior official told the talks had collapsed overnight.", "told_clause", None),
    ("The engineer told the new sluice gates would fail.", "told_clause", None),
    ("The captain told the Baltic convoy would turn back.", "told_clause", None),
    ("The trainer told his horse was fit to run.", "told_clause", None),
    ("The governor told progress had been made on the new wing.", "told_clause", None),
    ("He told it would be a mistake to close the depot.", "told_clause", None),
    ("The councillor told that he would resign.", "told_clause", "told that he would resign"),
    ("The contractor told that the bridge was safe.", "told_clause", None),
    ("The warden told Mr Hartley had refused the offer.", "told_clause", None),
    ("The coach told Parliament was wasting its time.", "told_clause", None),
    ("Mr Pelham told he hoped the strike would end soon.", "told_clause", None),
    ("The skipper told there were no plans to sell the boat.", "told_clause", None),
    ("The manager told on Monday that he would stay.", "told_when_that", None),
    ("She told in an interview that the orchard would close.", "told_when_that", None),
    ("The mayor told yesterday: the tram will run again.", "told_when_that", None),
    # "told." closing an attribution.
    (
        "“The harvest is lost,” a spokesman for the growers told. The co-operative disagreed.",
        "told_end",
        "a spokesman for the growers told.",
    ),
    ("Prices will rise again, he told. Traders were unconvinced.", "told_end", "he told."),
    ("Sales fell, the chief executive told, adding that jobs were safe.", "told_end", None),
    # A preposition of attribution with punctuation where the name was.
    ("Speaking to , he said the plan was dead.", "prep_hole", "Speaking to , he said the"),
    ("Speaking to, he said the plan was dead.", "prep_hole", "Speaking to, he said the"),
    ("Mr Ruddock, speaking exclusively to, said the plan was dead.", "prep_hole", None),
    ("He made the claim in an interview with .", "prep_hole", "interview with ."),
    ("The figures rose, according to , which cited officials.", "prep_hole", None),
    ("The figures rose, according to .", "prep_hole", "according to ."),
    ("The figures rose, according to the .", "prep_hole", None),
    ("The deal was first reported by , which put it at £2m.", "prep_hole", None),
    ("The company said in a statement to .", "prep_hole", "statement to ."),
    ("When contacted by , a spokesman declined to comment.", "prep_hole", None),
    ("She was speaking to's Evening Wire programme.", "prep_hole", None),
    # A reporting verb that lost its subject.
    ("The club is in talks, because understands that a bid is coming.", "missing_subject", None),
    ("The quarry will shut while has been told that the pits are unsafe.", "missing_subject", None),
    ("It comes as understands that the bid has failed.", "missing_subject", None),
    ("The merger, as exclusively revealed last week, was signed.", "missing_subject", None),
    ("In private, has been told that the bid will fail.", "missing_subject", None),
    ("Has been told that the club will be sold.", "missing_subject", None),
    ("Can exclusively reveal that the pier will close.", "missing_subject", None),
    ("The ferry is late. Has contacted the operator for comment.", "missing_subject", None),
]


@pytest.mark.parametrize(("sentence", "rule", "snippet"), DANGLING)
def test_dangling_attribution_is_caught(sentence: str, rule: str, snippet: str | None) -> None:
    found = dangling_attribution(sentence)
    assert len(found) == 1, found
    ev = found[0]
    assert ev.kind == "dangling_attribution"
    assert ev.data["rule"] == rule
    assert sentence[ev.article_start : ev.article_end] == ev.text
    if snippet is not None:
        assert ev.text == snippet


# -- dangling attribution: normal English that must be left alone -----------------------------

NORMAL = [
    # Passive "told": its subject is the one told.
    "He was told that the plan would fail.",
    "He was told the move would be a mistake.",
    "The crew were later told the ferry would not sail.",
    "Although he was told the deal was off, he stayed.",
    "He stayed because he has been told that the job is safe.",
    "The harbour board has been told that such an attack could be a disaster.",
    "I'm told the talks will resume.",
    "We’re told the plan will go ahead.",
    "Do as you are told.",
    "He had been told, and he said so.",
    "The press were told yesterday that the plant would close.",
    "The press was told on Monday that the plant would close.",
    "Another member says she was told: “You have had a very fast rise.”",
    "The hearing was told. The votes were counted later.",
    "They were contacted by their counterparts at the bank and told that they would no "
    "longer be market makers.",
    "He was arrested and told that he could go.",
    # A subject shared with a coordinated verb, or before a parenthesis.
    "The club applied but has been told that it must wait.",
    "It said it was flexible on price, but was told there were other issues.",
    "The mill, which employs 400 people, has been told that it must close.",
    "Mr Ashby, 45, was told that he would be released.",
    "The firm - which is based in Leeds - has been told that it must pay.",
    "Delegates at the show, in the exhibition hall, have been told.",
    # Someone told.
    "He told the court that he was innocent.",
    "She told the BBC the decision would be reviewed.",
    "He told reporters the deal was done.",
    "He told the jury the knife was his.",
    "Her mother told her the plan would work.",
    "He told a press conference the talks had failed.",
    "Johnston told a news conference taxes were increased.",
    "The minister told MPs the bill would pass.",
    "He told Reuters the company would appeal.",
    "He told Reuters Exxon would appeal.",
    "He told the Today programme the plan would work.",
    "He told The Times the plan would work.",
    "He told the panel it would take years.",
    "He told the company it was confident of a deal.",
    "He told the subcommittee oil imports were expected to rise.",
    "The president told a military parade there was no tension on the border.",
    "The warden said the company also told it they will continue to explore options.",
    "The government had told it to pay a production tax.",
    "He told them: “We will win.”",
    "He told his colleagues great progress had been made.",
    "He told that meeting the plan would fail.",
    "She told BBC Radio Kent: “We are ready.”",
    "He told 'Newsnight' that the party was united.",
    "He told me I was wrong.",
    # Other uses of "told".
    "What he told the players was clear.",
    "The story he told the children was untrue.",
    "The lies he told Parliament were exposed.",
    "The man I told he could go has left.",
    "All told, the figures were poor.",
    "It is a story often told.",
    "Their strength in the scrum ultimately told.",
    "Their fitness eventually told. “We were tired,” he said.",
    "He said he had told the truth throughout and had nothing to hide.",
    "They have told “the whole truth”, he said.",
    "He told it like it was.",
    "The way she told it was funny.",
    "He told of his ordeal.",
    "He told how he escaped.",
    "He told the story of the war.",
    "The figures told a different story.",
    "He never told anyone.",
    "He told that story many times.",
    "She told that to the inquiry.",
    "That is the story he told.",
    "As he told the Commons, the plan will work.",
    "The story he told in an interview that aired on Monday was false.",
    # Prepositions with their object.
    "According to the police, the man fled.",
    "Sales rose, according to figures released on Monday.",
    "Speaking to reporters, he said the plan was dead.",
    "Speaking to the BBC, she said she would stand.",
    "It is unclear who he was speaking to.",
    "It is unclear who he was speaking to, but the call lasted an hour.",
    "The number of people he spoke to, he said, was small.",
    "In an interview with the Gazette, he said he would quit.",
    "Asked by reporters, he said nothing.",
    "The cuts, as has been reported, will hit schools.",
    "The deal, as revealed by the Sun last week, was signed.",
    "The deal, as exclusively revealed by the Sun last week, was signed.",
    "Has he contacted the police?",
    "The firm has been told that the deal is off, although it has appealed.",
]


@pytest.mark.parametrize("sentence", NORMAL)
def test_normal_english_is_not_flagged(sentence: str) -> None:
    assert dangling_attribution(sentence) == []


def test_the_specimen_shape_yields_three_gaps_in_order() -> None:
    article = "\n\n".join(
        (
            "A convoy of lorries has reached the border – although has been told that such a "
            "crossing could be a “disaster”. The ministry says the move is routine.",
            "The claim echoes last year's rhetoric – but a harbour pilots' captain told the move "
            "would be a mistake. Two senior officials told Reuters of plans to add more ships.",
            "He told “From my perspective, for now, it’s unlikely.”",
            "Foreign ministry spokeswoman Anna Greve told a press briefing in the capital: "
            "“Nothing has changed.”",
        )
    )
    found = dangling_attribution(article)
    assert [e.text for e in found] == [
        "although has been told that such a",
        "told the move would be a mistake",
        "told “From my perspective",
    ]
    for ev in found:
        assert article[ev.article_start : ev.article_end] == ev.text


def test_evidence_json_carries_kind_text_offsets_and_rule() -> None:
    text = "The fleet sails today.\nHe told “From my perspective, it’s fine.”"
    [ev] = signals(text)
    assert ev.to_json() == {
        "kind": "dangling_attribution",
        "text": "told “From my perspective",
        "article_start": text.index("told"),
        "article_end": text.index("told") + len("told “From my perspective"),
        "rule": "told_quote",
    }
    assert Evidence.from_json(ev.to_json()) == ev


def test_one_gap_gives_one_piece_of_evidence() -> None:
    # "told ." matches both the told rule and the punctuation-gap shape.
    assert len(dangling_attribution("The chief told . Nothing else was said.")) == 1


# -- prompt leftovers ---------------------------------------------------------------------------

PROMPTS = [
    ("Here is a rewritten version of the article:\n\nThe mayor said.", "Here is a rewritten"),
    ("Here's a rewritten version of the article about the pier.", "Here's a rewritten"),
    ("Here’s a unique, plagiarism-free version of the story.", "Here’s a unique"),
    ("As an AI language model, I cannot browse the internet.", "As an AI language model"),
    ("Please note that this rewrite keeps the facts.", "Please note that this rewrite"),
    ("I cannot fulfil this request.", "I cannot fulfil this request"),
    ("I can't fulfill that request.", "I can't fulfill that request"),
    ("I’m sorry, but I can’t assist with that.", "I’m sorry, but I can’t assist"),
    ("Sure! Here is the rewritten article.", "Sure! Here is the rewritten"),
    ("Certainly! Here’s a revised version of the text.", "Certainly! Here’s a revised"),
    ("Rewritten article: The mayor opened the pier.", "Rewritten article:"),
    ("Note: This article has been rewritten for clarity.", "Note: This article"),
    ("As of my knowledge cutoff in 2021, the mayor was Smith.", "As of my knowledge cutoff"),
    ("The pier reopened on Friday.\n\nI hope this helps!", "I hope this helps!"),
    ("Let me know if you'd like any changes.", "Let me know if you'd like"),
    ("LET ME KNOW IF YOU WOULD LIKE ME TO EXPAND IT.", "LET ME KNOW IF YOU WOULD LIKE"),
    ("I've rewritten the article to be more concise.", "I've rewritten the article"),
]


@pytest.mark.parametrize(("text", "start"), PROMPTS)
def test_prompt_leftovers_are_caught(text: str, start: str) -> None:
    found = prompt_leftovers(text)
    assert len(found) == 1, found
    ev = found[0]
    assert ev.kind == "prompt_leftover"
    assert ev.text.startswith(start)
    assert text[ev.article_start : ev.article_end] == ev.text


NOT_PROMPTS = [
    "“I hope this helps other families,” she said.",
    "“I hope this helps.” The minister left.",
    "He said he hoped this helps the town.",
    "Here is the news.",
    "Here is the full text of the statement.",
    "Of course, here is the thing: nobody knew.",
    "The rewritten contract was signed on Monday.",
    "The clause was reworded: it now says little.",
    "Please note that the office is closed on Monday.",
    "“I'm sorry, but I can't comment on that,” he said.",
    "The council said it could not meet the request.",
    "As an aid worker, she has seen it all.",
    "Let me know if you need anything, he told her.",
    "In conclusion, the inquiry found no wrongdoing.",
    "He has rewritten the rules of the game.",
]


@pytest.mark.parametrize("text", NOT_PROMPTS)
def test_normal_text_has_no_prompt_leftovers(text: str) -> None:
    assert prompt_leftovers(text) == []


# -- signals ------------------------------------------------------------------------------------


def test_signals_merges_both_kinds_in_text_order() -> None:
    text = (
        "Sure! Here is the rewritten article.\n\n"
        "The ferry will not sail, according to . The skipper told “We are done.”\n\n"
        "I hope this helps!"
    )
    found = signals(text)
    assert [(e.kind, e.data["rule"]) for e in found] == [
        ("prompt_leftover", "prompt"),
        ("dangling_attribution", "prep_hole"),
        ("dangling_attribution", "told_quote"),
        ("prompt_leftover", "prompt"),
    ]
    assert [e.article_start for e in found] == sorted(e.article_start for e in found)


def test_empty_and_plain_text() -> None:
    assert signals("") == []
    assert signals("The harbour reopened on Friday after repairs.") == []


# Words that reach every rule, mixed with punctuation, so that hypothesis walks the edges
# (text that starts or ends inside a rule).
PIECES = [
    "told", "Told", "the", "move", "would", "be", "that", "he", "it", "was", "has", "been",
    "although", "but", "as", "exclusively", "revealed", "according", "to", "speaking",
    "Speaking", "interview", "with", "statement", "reported", "by", "Has", "Understands",
    "Mr", "Blair", "had", "on", "Monday", "Here", "is", "a", "rewritten", "version", "I",
    "hope", "this", "helps", "Sure!", "As", "an", "AI", "language", "model", ",", ".", ":",
    "“", "”", '"', "'", "’s", "–", " - ", "\n", "\n\n", " ", "  ", "\t", "!", "?", "(", ")",
]  # fmt: skip


def _check(text: str) -> None:
    found = signals(text)
    assert [e.article_start for e in found] == sorted(e.article_start for e in found)
    for ev in found:
        assert ev.kind in ("dangling_attribution", "prompt_leftover")
        assert ev.article_start is not None and ev.article_end is not None
        assert 0 <= ev.article_start < ev.article_end <= len(text)
        assert text[ev.article_start : ev.article_end] == ev.text
        assert ev.text == ev.text.strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
@example("told")
@example("told.")
@example("reported by ’s \n")
@example("according to")
@example(" told “")
@example("Has been told that")
def test_signals_never_raise_and_offsets_hold_on_any_text(text: str) -> None:
    _check(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map(" ".join))
def test_signals_offsets_hold_on_rule_shaped_text(text: str) -> None:
    _check(text)


# -- real news (../shared/corpora): how often does normal reporting get flagged? ---------------

MAX_RATE = 1 / 200


def _flagged(articles) -> tuple[int, list[str], list[str]]:
    """How many articles; those with a dangling attribution; those with a prompt leftover."""
    total = 0
    dangling: list[str] = []
    prompts: list[str] = []
    for article in articles:
        total += 1
        for kind, out in (("dangling_attribution", dangling), ("prompt_leftover", prompts)):
            found = [e for e in signals(article.text) if e.kind == kind]
            if found:
                out.append(f"{article.id}: {[(e.data['rule'], e.text) for e in found]}")
    return total, dangling, prompts


def test_real_bbc_news_is_rarely_flagged(corpora: None) -> None:
    total, dangling, prompts = _flagged(read_bbc())
    assert total == 2225
    assert len(dangling) < MAX_RATE * total, dangling[:20]
    assert prompts == []


@pytest.mark.slow  # 19,043 stories: about 6 s, most of it parsing the SGML
def test_real_reuters_news_is_rarely_flagged(corpora: None) -> None:
    total, dangling, prompts = _flagged(read_reuters())
    assert total == 19043
    assert len(dangling) < MAX_RATE * total, dangling[:20]
    assert prompts == []
