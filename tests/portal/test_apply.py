

def test_post_delivery_needs_an_address_and_national_data_needs_no_upload(
    citizen: Client, apply_world: World
) -> None:
    draft = _start(citizen, apply_world)
    response = citizen.post(
        _url(draft, "delivery"), {"result_delivery": "post", "delivery_address": " "}
    )
    assert response.status_code == 400
    assert "Ghi địa chỉ nhận kết quả qua bưu chính." in response.content.decode()
    assert ApplicationDraft.objects.get(pk=draft.pk).result_delivery == "post"  # kept

    response = citizen.post(_url(draft, "component-TP1"), {"how": "national"})
    assert response.status_code == 302
    check = citizen.get(_url(draft, "check")).content.decode()
    assert "Khai thác từ cơ sở dữ liệu quốc gia (không cần nộp giấy)" in check
    assert "Cần nộp “Thẻ căn cước”" not in check
