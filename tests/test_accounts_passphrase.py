"""Passphrase rules (length, Django's offline common-password list, not repetitive) and Argon2 hashing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError

from accounts.validators import NotRepetitiveValidator, PassphraseLengthValidator, passphrase_rule

GOOD = "kettle orange bicycle harbour"


def codes(password: str) -> set[str]:
    try:
        validate_password(password)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize("short", ["", "cat", "eleven char", "a1b2c3d4e5f"])
def test_short_passphrases_are_refused(short):
    assert "password_too_short" in codes(short)


def test_twelve_characters_is_enough_length():
    PassphraseLengthValidator().validate("tulip marble")  # 12 characters: no error


def test_too_long_is_refused():
    with pytest.raises(ValidationError):
        PassphraseLengthValidator().validate("word " * 41)


@pytest.mark.parametrize("common", ["password1234", "qwertyuiop12", "123456789qwe", "PeanutButter"])
def test_common_passwords_from_djangos_offline_list_are_refused(common):
    assert common.lower().strip() in CommonPasswordValidator().passwords, "test data must be on Django's list"
    assert "password_too_common" in codes(common)


@pytest.mark.parametrize(
    "repetitive",
    ["aaaaaaaaaaaaaaaa", "abababababababab", "abcabcabcabcabc", "dogdogdogdogdog", "abcdabcdabcdabcd", "dog dog dog dog", "1111 2222 1111"],
)
def test_repetitive_passphrases_are_refused(repetitive):
    with pytest.raises(ValidationError) as error:
        NotRepetitiveValidator().validate(repetitive)
    assert error.value.code == "password_repetitive"


@pytest.mark.parametrize("sequence", ["abcdefghijklmnop", "0123456789012", "9876543210987", "qwertyuiopqwerty", "zyxwvutsrqponm"])
def test_keyboard_and_alphabet_sequences_are_refused(sequence):
    with pytest.raises(ValidationError) as error:
        NotRepetitiveValidator().validate(sequence)
    assert error.value.code == "password_sequence"


@pytest.mark.parametrize("good", [GOOD, "the blue van was outside again", "Marmalade Tuesday Lighthouse", "my cat sleeps on the radiator"])
def test_long_ordinary_word_passphrases_are_accepted(good):
    assert codes(good) == set()


def test_messages_speak_of_a_passphrase_and_suggest_words(client, db):  # noqa: ANN001
    response = client.post("/account/signup/", {"email": "n@example.com", "password1": "password1234", "password2": "password1234"})
    html = response.content.decode()
    assert "This passphrase is too common and easy to guess. Try three or four ordinary words." in html
    assert "This password is too common" not in html


def test_rule_text_states_the_minimum_length():
    assert "at least 12 characters" in passphrase_rule().lower()


def test_new_users_passphrase_is_hashed_with_argon2(db):  # noqa: ANN001
    user = get_user_model().objects.create_user(username="new", email="new@example.com", password=GOOD)
    assert user.password.startswith("argon2")
    assert user.check_password(GOOD)


def test_sign_up_through_the_form_stores_an_argon2_hash(client, db):  # noqa: ANN001
    client.post("/account/signup/", {"email": "form@example.com", "password1": GOOD, "password2": GOOD})
    user = get_user_model().objects.get(email="form@example.com")
    assert user.password.startswith("argon2$argon2id$")
