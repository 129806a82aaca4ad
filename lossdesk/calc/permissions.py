"""Every staff member may use the calculators (login only); editing the standards data needs
the model permissions below, which the system administrator's position holds. Registered
with org's table of positions from CalcConfig.ready() (org.permissions)."""

STANDARDS_MODELS = (
    "wmientry",
    "depreciationtable",
    "depreciationrate",
    "ctpllimittable",
    "compensationstandard",
)

CALC_ADMIN_PERMISSIONS: dict[str, list[str]] = {
    "system_admin": [
        f"calc.{verb}_{model}"
        for model in STANDARDS_MODELS
        for verb in ("view", "add", "change", "delete")
    ],
}
