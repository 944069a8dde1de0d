"""Password complexity (等保): at least three of upper-case letters, lower-case letters, digits and
other characters, besides Django's length, similarity and common-password checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

MIN_CLASSES = 3


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        classes = [any(c.isupper() for c in password), any(c.islower() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
        if sum(classes) < MIN_CLASSES:
            raise ValidationError("密码须至少包含大写字母、小写字母、数字、其他符号中的三类", code="password_classes")

    def get_help_text(self) -> str:
        return "密码须至少包含大写字母、小写字母、数字、其他符号中的三类。"
