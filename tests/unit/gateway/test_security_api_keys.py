from services.gateway.security import api_keys


def test_a_new_key_parses_back_to_its_id_and_matches_its_stored_hash() -> None:
    key = api_keys.generate()
    presented = api_keys.parse(key.token)
    assert presented is not None
    assert presented.key_id == key.key_id
    assert api_keys.matches(presented, key.secret_hash)


def test_the_stored_hash_is_not_the_secret_and_keys_do_not_repeat() -> None:
    keys = [api_keys.generate() for _ in range(200)]
    assert len({k.token for k in keys}) == 200
    assert len({k.key_id for k in keys}) == 200
    for key in keys[:5]:
        secret = key.token[len("tsk_") + 17 :]
        assert secret.encode() not in key.secret_hash
        assert len(secret) == 43  # 256 bits, base64url without padding


def test_a_key_with_one_character_changed_does_not_match() -> None:
    key = api_keys.generate()
    last = key.token[-1]
    tampered = key.token[:-1] + ("A" if last != "A" else "B")
    presented = api_keys.parse(tampered)
    assert presented is not None
    assert not api_keys.matches(presented, key.secret_hash)


def test_malformed_keys_do_not_parse() -> None:
    good = api_keys.generate().token
    for bad in ["", "tsk_", good[:-1], good + "x", good.replace("tsk_", "tsx_"), "tsk_" + "g" * 16 + "_" + "a" * 43]:
        assert api_keys.parse(bad) is None, bad
