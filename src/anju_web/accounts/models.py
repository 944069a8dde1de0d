"""Who a user is in the evaluation: a role and the region the role applies to."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from anju_web.accounts.roles import Role
from anju_web.regions.models import Region


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name="用户")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT, related_name="profiles"
    )
    department = models.CharField("单位", max_length=64, blank=True, help_text="如：吉林省财政厅、吉林省住房和城乡建设厅、财政部吉林监管局")
    display_name = models.CharField("姓名", max_length=64, blank=True)
    must_change_password = models.BooleanField(
        "须修改密码", default=False, help_text="密码由管理员设置或重置（或为演示密码）：下次登录须先修改")

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.get_role_display()}）"

    @property
    def label(self) -> str:
        """How audit entries and threads name this person: 张三（农安县 市县填报员）."""
        name = self.display_name or self.user.get_username()
        where = self.department or (self.region.display_name if self.region else "")
        return f"{name}（{where} {self.get_role_display()}）" if where else f"{name}（{self.get_role_display()}）"


class ApiToken(models.Model):
    """A bearer token for API clients. Only the sha256 of the token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    name = models.CharField("用途", max_length=64)
    digest = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True, help_text="到期后令牌失效；空白为不过期（旧令牌）")

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.user.get_username()}：{self.name}"


class GrantStatus(models.TextChoices):
    pending = "pending", "待批准"
    approved = "approved", "已批准"
    rejected = "rejected", "已驳回"


class RoleGrant(models.Model):
    """三员分立: a data role (填报、审核、评价、复核) is given only when a second administrator approves
    what the first asked for; neither may be the person receiving the role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants",
                             verbose_name="授予对象")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    department = models.CharField("单位", max_length=64, blank=True)
    display_name = models.CharField("姓名", max_length=64, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=16, choices=GrantStatus.choices, default=GrantStatus.pending)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
                                   blank=True, verbose_name="批准或驳回人")
    decided_at = models.DateTimeField("批准或驳回时间", null=True, blank=True)

    class Meta:
        verbose_name = "角色授予申请"
        verbose_name_plural = "角色授予申请"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        where = f" {self.region.display_name}" if self.region else ""
        return f"{self.user.get_username()}：{self.get_role_display()}{where}（{self.get_status_display()}）"
