"""Errors of accounts, registrants, tokens and sign-in, with messages in Chinese and English."""

from __future__ import annotations

from dataip.core.errors import DataipError, register_messages

register_messages(
    {
        # resident ID numbers (GB 11643-1999)
        "resident_id_length": (
            "居民身份证号码应为 18 位，填写的是 {length} 位",
            "a resident ID number has 18 characters; this one has {length}",
        ),
        "resident_id_chars": (
            "居民身份证号码前 17 位应为数字、第 18 位为数字或 X；第 {position} 位“{char}”不允许",
            "a resident ID number is 17 digits and a digit or X; character {position} "
            "'{char}' is not allowed",
        ),
        "resident_id_region": (
            "居民身份证号码的前两位“{province}”不是省级行政区划代码",
            "the first two digits of the resident ID number, '{province}', are not a province code",
        ),
        "resident_id_birth_date": (
            "居民身份证号码中的出生日期“{digits}”不是真实的日期",
            "the birth date in the resident ID number, '{digits}', is not a real date",
        ),
        "resident_id_birth_future": (
            "居民身份证号码中的出生日期 {date} 晚于今天",
            "the birth date in the resident ID number, {date}, is after today",
        ),
        "resident_id_check": (
            "居民身份证号码校验码错误：应为 {expected}，实为 {actual}",
            "wrong check character in the resident ID number: expected {expected}, found {actual}",
        ),
        # unified social credit codes (GB 32100-2015)
        "credit_code_length": (
            "统一社会信用代码应为 18 位，填写的是 {length} 位",
            "a unified social credit code has 18 characters; this one has {length}",
        ),
        "credit_code_chars": (
            "统一社会信用代码只能由数字和除 I、O、Z、S、V 以外的大写字母组成；"
            "第 {position} 位“{char}”不允许",
            "a unified social credit code is digits and capital letters other than I, O, Z, S "
            "and V; character {position} '{char}' is not allowed",
        ),
        "credit_code_region": (
            "统一社会信用代码第 3 至 8 位应为行政区划码（数字），第 {position} 位为“{char}”",
            "characters 3 to 8 of a unified social credit code are a region code (digits); "
            "character {position} is '{char}'",
        ),
        "credit_code_check": (
            "统一社会信用代码校验位错误：应为 {expected}，实为 {actual}",
            "wrong check character in the unified social credit code: expected {expected}, "
            "found {actual}",
        ),
        # sign-up and real-name details
        "username_invalid": (
            "用户名“{username}”无效：只能包含字母、数字和 @ . + - _，最多 150 个字符",
            "the username '{username}' is not valid: letters, digits and @ . + - _ only, "
            "at most 150 characters",
        ),
        "username_taken": ("用户名“{username}”已被使用", "the username '{username}' is taken"),
        "email_invalid": ("电子邮箱“{email}”无效", "the email address '{email}' is not valid"),
        "password_invalid": (
            "密码不符合要求：{problems}",
            "the password is not accepted: {problems}",
        ),
        "phone_invalid": (
            "手机号码“{phone}”无效：应为以 1 开头的 11 位数字",
            "the mobile number '{phone}' is not valid: 11 digits starting with 1",
        ),
        "field_required": ("请填写{field}", "{field} is required"),
        "field_too_long": (
            "{field}过长：最多 {limit} 个字符，填写的有 {length} 个",
            "{field} is too long: at most {limit} characters, this has {length}",
        ),
        "registrant_kind_invalid": (
            "登记主体类型“{kind}”无效：应为 natural_person（自然人）、legal_person（法人）"
            "或 unincorporated（非法人组织）",
            "the registrant kind '{kind}' is not valid: natural_person, legal_person or "
            "unincorporated",
        ),
        "registrant_exists": (
            "该证件号码的登记主体已在平台注册；请向其已有用户索取邀请码，凭邀请码加入",
            "a registrant with this ID number is already registered: ask one of its users for "
            "an invitation code and join with it",
        ),
        "registrant_name_mismatch": (
            "自然人登记主体的名称应与真实姓名一致：真实姓名为“{real_name}”，登记主体名称为“{name}”",
            "a natural person registrant is named after the person: the real name is "
            "'{real_name}', the registrant name '{name}'",
        ),
        "real_name_complete": (
            "您已完成实名信息，代表登记主体“{registrant}”；如需更改，请联系管理员",
            "your real-name details are complete and you act for '{registrant}'; to change "
            "them, ask an administrator",
        ),
        "real_name_incomplete": (
            "请先在用户中心完善实名信息和登记主体",
            "complete your real-name details and registrant in the user centre first",
        ),
        # roles and who may do what
        "account_inactive": ("账号已停用", "the account is deactivated"),
        "account_applicant_only": (
            "只有申请人账号才能{action}；审查员和管理员不代表登记主体",
            "only applicant accounts can {action}: examiners and administrators do not act "
            "for a registrant",
        ),
        "account_administrator_only": (
            "只有管理员才能{action}",
            "only administrators can {action}",
        ),
        "user_not_found": ("没有用户“{username}”", "there is no user '{username}'"),
        "role_invalid": (
            "角色“{role}”无效：应为 applicant（申请人）、examiner（审查员）"
            "或 administrator（管理员）",
            "the role '{role}' is not valid: applicant, examiner or administrator",
        ),
        "role_registrant": (
            "用户“{username}”代表登记主体“{registrant}”，不能成为审查员或管理员",
            "the user '{username}' acts for the registrant '{registrant}' and cannot become "
            "an examiner or administrator",
        ),
        "role_self": (
            "管理员不能更改自己的角色（以免平台失去管理员），请由另一位管理员操作",
            "administrators cannot change their own role (the platform could be left without "
            "one): ask another administrator",
        ),
        # invitations
        "invitation_natural_person": (
            "自然人登记主体只能有一个用户，不能邀请他人加入",
            "a natural person registrant has exactly one user: nobody can be invited",
        ),
        "invitation_invalid": (
            "邀请码无效，请核对后重新输入",
            "the invitation code is not valid: check it and enter it again",
        ),
        "invitation_used": (
            "该邀请码已被使用，请向邀请人索取新的邀请码",
            "the invitation code has been used: ask for a new one",
        ),
        "invitation_expired": (
            "该邀请码已于 {expired} 过期，请向邀请人索取新的邀请码",
            "the invitation code expired on {expired}: ask for a new one",
        ),
        # API tokens
        "token_not_found": ("没有这个 API 令牌", "no such API token"),
        "token_expiry_past": (
            "令牌的有效期截止时间 {expires} 已经过去",
            "the token's expiry time {expires} has passed",
        ),
        # sign-in throttling and the second factor
        "sign_in_throttled": (
            "登录失败次数过多，为保护账号已暂停登录；请于 {retry_at}（北京时间）之后再试",
            "too many failed sign-ins: signing in is paused to protect the account; try again "
            "after {retry_at} (Beijing time)",
        ),
        "sign_in_invalid": (
            "用户名或密码错误（用户名区分大小写）",
            "wrong user name or password (the user name is case-sensitive)",
        ),
        "sign_in_code_expired": (
            "登录已超时，请重新输入用户名和密码",
            "the sign-in timed out: enter your user name and password again",
        ),
        "second_factor_code_invalid": (
            "动态验证码错误或已使用：请输入验证器应用当前显示的 6 位数字",
            "the code is wrong or was already used: enter the 6 digits your authenticator app "
            "shows now",
        ),
        "second_factor_not_allowed": (
            "只有审查员和管理员账号可以启用动态验证码",
            "only examiner and administrator accounts can enrol a second factor",
        ),
        "second_factor_enrolled": (
            "已于 {date} 启用动态验证码；如需更换，请联系管理员重置",
            "a second factor was enrolled on {date}; to replace it, ask an administrator to "
            "reset it",
        ),
        "second_factor_not_begun": (
            "请先生成密钥，再输入验证码确认",
            "generate a key first, then confirm it with a code",
        ),
        "second_factor_none": (
            "用户“{username}”没有启用动态验证码",
            "the user '{username}' has no second factor",
        ),
        "second_factor_admin_sign_in": (
            "此账号已启用动态验证码，请通过平台登录页登录（输入密码后再输入验证码）",
            "this account uses a second factor: sign in on the platform's sign-in page (the "
            "code is asked after the password)",
        ),
        # OpenID Connect sign-in
        "oidc_not_configured": (
            "本平台未开启统一身份认证登录",
            "sign-in through the identity provider is not configured on this platform",
        ),
        "oidc_state": (
            "登录校验失败：回调中的 state 与本次登录不符（可能已过期或被伪造），请重新登录",
            "sign-in failed: the callback's state does not match this sign-in (it expired or "
            "was forged); sign in again",
        ),
        "oidc_denied": (
            "身份认证平台未完成登录：{error}（{description}）",
            "the identity provider did not sign you in: {error} ({description})",
        ),
        "oidc_unreachable": (
            "无法连接身份认证平台：{reason}",
            "cannot reach the identity provider: {reason}",
        ),
        "oidc_issuer_mismatch": (
            "身份认证平台配置有误：发现文档中的 issuer 为“{found}”，应为“{expected}”",
            "the identity provider is misconfigured: its discovery document names the issuer "
            "'{found}', expected '{expected}'",
        ),
        "oidc_token_error": (
            "身份认证平台拒绝签发令牌：{error}（{description}）",
            "the identity provider refused to issue tokens: {error} ({description})",
        ),
        "oidc_no_id_token": (
            "身份认证平台没有返回 ID 令牌",
            "the identity provider returned no ID token",
        ),
        "oidc_id_token": (
            "身份认证平台返回的 ID 令牌无效：{reason}",
            "the identity provider's ID token is not valid: {reason}",
        ),
        "oidc_userinfo_subject": (
            "用户信息接口返回的用户标识（sub）与 ID 令牌不符",
            "the userinfo endpoint names another subject (sub) than the ID token",
        ),
        "oidc_subject_too_long": (
            "身份认证平台的用户标识过长（{length} 个字符）",
            "the identity provider's subject identifier is too long ({length} characters)",
        ),
    }
)


class AccountsError(DataipError):
    """A request about accounts that cannot be carried out; nothing was changed."""


class IdNumberError(AccountsError):
    """A resident ID number or credit code that is malformed; the message says exactly how."""


class Forbidden(AccountsError):
    status = 403


class NotFound(AccountsError):
    status = 404


class SignInError(AccountsError):
    """Sign-in through the external OpenID Connect provider failed; nobody was signed in."""


class SignInThrottled(AccountsError):
    """Too many recent failures for the user name or the client address; nothing was tried."""

    status = 429

    def __init__(self, retry_at: str, retry_after: int) -> None:
        super().__init__("sign_in_throttled", retry_at=retry_at)
        #: Seconds until the next attempt is allowed (the ``Retry-After`` header).
        self.retry_after = retry_after


class OidcNotConfigured(SignInError):
    """Sign-in through a provider is off: no issuer or client id is configured."""

    status = 404

    def __init__(self) -> None:
        super().__init__("oidc_not_configured")
