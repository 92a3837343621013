from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """User name, phone number or e-mail address, and the password."""

    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập (số điện thoại, thư điện tử) hoặc mật khẩu không đúng. Lưu ý: sau "
            "nhiều lần sai, tài khoản bị tạm khoá đăng nhập trong ít phút."
        ),
        "inactive": _("Tài khoản này đã bị khoá."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Tên đăng nhập, số điện thoại hoặc thư điện tử")
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["password"].label = _("Mật khẩu")
        self.fields["username"].error_messages["required"] = _(
            "Nhập tên đăng nhập, số điện thoại hoặc thư điện tử."
        )
        self.fields["password"].error_messages["required"] = _("Nhập mật khẩu.")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=20,
        error_messages={"required": _("Nhập mã xác thực.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
    )
