"""What the audit log calls each kind of action and of record, in the page's language.

The log stores codes (``confirm_budget``, ``placement``): the page shows these names, the
filter offers them, and the CSV export keeps the codes (data for other systems).
"""

from __future__ import annotations

from flask_babel import gettext

from compapp.core.messages import N_

ACTION_NAMES = {
    "activate_policy_version": N_("政策新版本生效"),
    "add_event": N_("添加赛项"),
    "add_jurisdiction": N_("添加行政区划"),
    "approve_title": N_("核准称号"),
    "change_grade": N_("等级变更"),
    "change_password": N_("修改密码"),
    "compute_awards": N_("计算奖励"),
    "confirm_budget": N_("确认预算"),
    "confirm_calendar_year": N_("确认工作日历"),
    "confirm_honour": N_("确认荣誉"),
    "confirm_placement": N_("复核确认成绩"),
    "confirm_promotion": N_("确认晋升"),
    "confirm_revocation": N_("确认撤销获奖"),
    "create_contest": N_("登记赛事"),
    "create_entry": N_("新增参赛组"),
    "create_promotion_case": N_("生成晋升评估"),
    "create_user": N_("创建账户"),
    "deactivate_user": N_("停用账户"),
    "delete_contest": N_("删除赛事"),
    "delete_entry": N_("删除参赛组"),
    "delete_event": N_("删除赛项"),
    "delete_promotion_case": N_("撤销晋升评估"),
    "dismiss_objection": N_("异议不成立"),
    "download_certificate": N_("下载证书"),
    "download_certificate_zip": N_("打包下载证书"),
    "enter_policy_version": N_("录入政策新版本"),
    "finalize_promotion": N_("晋升生效"),
    "import_bank_accounts": N_("导入收款账户"),
    "import_entry": N_("导入修改参赛组"),
    "import_results": N_("批量导入成绩"),
    "issue_certificate": N_("颁发证书"),
    "lodge_objection": N_("登记异议"),
    "mark_line_paid": N_("登记支付"),
    "notice_promotion": N_("列入公示"),
    "propose_calendar_year": N_("录入工作日历"),
    "publish_award_list": N_("公开获奖名单"),
    "publish_notice": N_("发布晋升公示"),
    "read_bank_accounts": N_("读取完整收款信息"),
    "record_honour": N_("登记荣誉"),
    "record_reconciliation": N_("登记对账"),
    "refresh_promotion_case": N_("重新评估晋升"),
    "reissue_certificate": N_("补发证书"),
    "reject_calendar_year": N_("退回工作日历"),
    "reject_promotion": N_("不予晋升"),
    "reject_title": N_("不予核准称号"),
    "reopen_placement": N_("撤回确认以便更正"),
    "reopen_promotion": N_("晋升待重新决定"),
    "reopen_results": N_("赛事变更撤回确认"),
    "request_revocation": N_("申请撤销获奖"),
    "resolve_objection": N_("异议处理"),
    "return_placement": N_("退回录入人修改"),
    "return_policy_version": N_("退回政策版本"),
    "revoke_certificate": N_("撤销证书"),
    "send_invitation": N_("生成邀请链接"),
    "set_password": N_("设置密码"),
    "settle_recovery": N_("登记追回或停付"),
    "supersede_certificate": N_("证书待重新颁发"),
    "update_bank_account": N_("登记收款账户"),
    "update_contest": N_("修改赛事"),
    "update_entry": N_("修改参赛组"),
    "update_user": N_("修改账户"),
    "withdraw_award_list": N_("撤回获奖名单"),
    "withdraw_promotion": N_("异议成立撤销晋升"),
    "withdraw_revocation": N_("撤回撤销申请"),
}

# The record an entry is about, with its number.
TARGET_NAMES = {
    "award_line": N_("奖励明细 #%(id)s"),
    "budget": N_("预算确认 #%(id)s"),
    "calendar_year": N_("工作日历 #%(id)s"),
    "certificate": N_("证书 #%(id)s"),
    "coach": N_("教练 #%(id)s"),
    "competitor": N_("选手 #%(id)s"),
    "contest": N_("赛事 #%(id)s"),
    "disclosure": N_("公开的获奖名单 #%(id)s"),
    "entry": N_("参赛组 #%(id)s"),
    "event": N_("赛项 #%(id)s"),
    "honour": N_("荣誉 #%(id)s"),
    "jurisdiction": N_("行政区划 %(id)s"),
    "payment_roster": N_("发放花名册（%(id)s）"),
    "placement": N_("成绩 #%(id)s"),
    "policy_revision": N_("政策版本 #%(id)s"),
    "promotion_case": N_("晋升评估 #%(id)s"),
    "public_notice": N_("晋升公示 #%(id)s"),
    "reconciliation": N_("对账 #%(id)s"),
    "recovery_line": N_("追回明细 #%(id)s"),
    "user": N_("账户 #%(id)s"),
}


def action_name(code: str) -> str:
    """The action's name in the page's language (an unknown code as stored)."""
    name = ACTION_NAMES.get(code)
    return gettext(name) if name else code


def target_name(code: str, target_id: str | None) -> str:
    """The record's kind and number in the page's language (an unknown kind as stored)."""
    name = TARGET_NAMES.get(code)
    if name is None:
        return f"{code} {target_id or ''}".strip()
    return gettext(name, id=target_id if target_id is not None else "—")
