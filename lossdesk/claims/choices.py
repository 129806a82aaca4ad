from decimal import Decimal

from django.db import models


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", "待调度"
    DISPATCHED = "dispatched", "待接单"
    SURVEYING = "surveying", "查勘中"
    ASSESSING = "assessing", "定损中"
    IN_REVIEW = "in_review", "待审核"
    IN_SECOND_REVIEW = "in_second_review", "待二级审核"
    APPROVED = "approved", "审核通过"
    AWAITING_DOCUMENTS = "awaiting_documents", "待补充资料"
    REPORT_ISSUED = "report_issued", "已出报告"
    CLOSED = "closed", "已结案"
    CANCELLED = "cancelled", "已注销"


FINAL_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.CANCELLED})


class LossItemKind(models.TextChoices):
    INSURED_VEHICLE = "insured_vehicle", "本车"
    THIRD_PARTY_VEHICLE = "third_party_vehicle", "三者车"
    PROPERTY = "property", "三者物损"
    INJURY = "injury", "人伤"


VEHICLE_KINDS = frozenset({LossItemKind.INSURED_VEHICLE, LossItemKind.THIRD_PARTY_VEHICLE})


class LossItemStatus(models.TextChoices):
    PENDING = "pending", "待定损"
    SUBMITTED = "submitted", "已提交审核"
    APPROVED = "approved", "核损通过"
    CANCELLED = "cancelled", "已注销"


class AccidentType(models.TextChoices):
    VEHICLE_COLLISION = "vehicle_collision", "车辆碰撞"
    SINGLE_VEHICLE = "single_vehicle", "单方事故"
    SCRAPE = "scrape", "刮擦"
    HIT_OBJECT = "hit_object", "碰撞固定物"
    ROLLOVER = "rollover", "倾覆"
    FLOOD = "flood", "水淹"
    FIRE = "fire", "火灾"
    THEFT = "theft", "盗抢"
    OTHER = "other", "其他"


class Liability(models.TextChoices):
    FULL = "full", "全责"
    MAJOR = "major", "主责"
    EQUAL = "equal", "同责"
    MINOR = "minor", "次责"
    NONE = "none", "无责"


# Default ratios when the police decide fault but give no ratio (RULES.md §2.2).
LIABILITY_RATIOS = {
    Liability.FULL: Decimal("1.00"),
    Liability.MAJOR: Decimal("0.70"),
    Liability.EQUAL: Decimal("0.50"),
    Liability.MINOR: Decimal("0.30"),
    Liability.NONE: Decimal("0.00"),
}


class SceneType(models.TextChoices):
    FIRST = "first", "第一现场"
    NOT_FIRST = "not_first", "非第一现场"
    NO_SCENE = "no_scene", "无现场（复勘）"


class ResurveyReason(models.TextChoices):
    """Why a surveyor went back after the survey was completed (复勘)."""

    HIDDEN_DAMAGE = "hidden_damage", "拆检复勘"
    CLIENT_REQUEST = "client_request", "保险公司要求"
    MISSING_EVIDENCE = "missing_evidence", "补充查勘"
    OTHER = "other", "其他"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "照片"
    DOCUMENT = "document", "单证"


class DocumentType(models.TextChoices):
    SCENE_PHOTO = "scene_photo", "现场照片"
    VEHICLE_PHOTO = "vehicle_photo", "车辆照片"
    DAMAGE_PHOTO = "damage_photo", "损失照片"
    DRIVING_LICENCE = "driving_licence", "驾驶证"
    VEHICLE_LICENCE = "vehicle_licence", "行驶证"
    ACCIDENT_CERTIFICATE = "accident_certificate", "事故认定书"
    ID_CARD = "id_card", "身份证"
    REPAIR_INVOICE = "repair_invoice", "维修发票"
    OWNERSHIP_PROOF = "ownership_proof", "权属证明"
    PURCHASE_INVOICE = "purchase_invoice", "购置发票"
    CLAIM_LIST = "claim_list", "索赔清单"
    AGREEMENT = "agreement", "协议书"
    OTHER = "other", "其他"


class PhotoCategory(models.TextChoices):
    """What a photo shows, read from its document type (Attachment.category): the field app
    takes photos in these four groups per loss item."""

    SCENE = "scene", "现场"
    VEHICLE = "vehicle", "车辆"
    DAMAGE_DETAIL = "damage_detail", "损失细节"
    DOCUMENTS = "documents", "单证"


PHOTO_CATEGORY_OF_TYPE = {
    DocumentType.SCENE_PHOTO: PhotoCategory.SCENE,
    DocumentType.VEHICLE_PHOTO: PhotoCategory.VEHICLE,
    DocumentType.DAMAGE_PHOTO: PhotoCategory.DAMAGE_DETAIL,
}  # every other document type is a document (单证)


class ImageProcessing(models.TextChoices):
    """Where an image's watermarked copies and perceptual hash stand: made by a background
    task after the upload has answered (claims.tasks.process_image, decision 0019)."""

    PENDING = "pending", "处理中"
    READY = "ready", "已完成"
    FAILED = "failed", "处理失败"


class PhotoCheck(models.TextChoices):
    """An authenticity finding on a photo (claims.photos.check_photo): flagged for the
    reviewer, never a refusal."""

    NO_EXIF = "no_exif", "无拍摄信息（EXIF）"
    NO_CAPTURE_TIME = "no_capture_time", "无拍摄时间"
    TAKEN_BEFORE_ACCIDENT = "taken_before_accident", "拍摄早于出险"
    TAKEN_LONG_AFTER_REPORT = "taken_long_after_report", "拍摄远晚于报案"
    NO_LOCATION = "no_location", "无拍摄位置"
    FAR_FROM_ACCIDENT = "far_from_accident", "拍摄地远离出险地"
    NEAR_DUPLICATE = "near_duplicate", "与其他案件照片相似"


class DocumentRequestStatus(models.TextChoices):
    OPEN = "open", "待补充"
    FULFILLED = "fulfilled", "已补齐"


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", "通过"
    RETURNED = "returned", "退回"


class CancelReason(models.TextChoices):
    DUPLICATE = "duplicate", "重复报案"
    CUSTOMER_WITHDREW = "customer_withdrew", "客户撤案"
    NOT_COVERED = "not_covered", "不属于保险责任"
    NO_LOSS = "no_loss", "无损失"
    CLIENT_RECALLED = "client_recalled", "委托方收回"
    FRAUD_SUSPECTED = "fraud_suspected", "疑似欺诈，拒赔处理"
    OTHER = "other", "其他"


class EventType(models.TextChoices):
    REPORT_REGISTERED = "report_registered", "登记报案"
    DISPATCHED = "dispatched", "调度查勘员"
    DISPATCH_ACCEPTED = "dispatch_accepted", "接受调度"
    DISPATCH_DECLINED = "dispatch_declined", "拒绝调度"
    DISPATCH_TIMED_OUT = "dispatch_timed_out", "超时未接单"
    POSSIBLE_DUPLICATE = "possible_duplicate", "疑似重复报案"
    ARRIVED = "arrived", "到达现场"
    SURVEY_SAVED = "survey_saved", "保存查勘记录"
    SURVEY_COMPLETED = "survey_completed", "完成查勘"
    ATTACHMENT_ADDED = "attachment_added", "上传附件"
    SHEET_SAVED = "sheet_saved", "保存定损单"
    PROPERTY_SURVEY_SAVED = "property_survey_saved", "保存物损查勘"
    NEGOTIATION_SAVED = "negotiation_saved", "记录物损协商"
    OFFER_RECORDED = "offer_recorded", "记录协商报价"
    INJURY_SURVEY_SAVED = "injury_survey_saved", "保存人伤查勘"
    HOSPITAL_VISIT_RECORDED = "hospital_visit_recorded", "记录医疗走访"
    DISABILITY_APPRAISAL_RECORDED = "disability_appraisal_recorded", "记录伤残鉴定"
    INVESTIGATION_FLAG_RAISED = "investigation_flag_raised", "提出医疗调查疑点"
    INVESTIGATION_FLAG_DECIDED = "investigation_flag_decided", "认定医疗调查疑点"
    SUBMITTED_FOR_REVIEW = "submitted_for_review", "提交审核"
    REVIEW_APPROVED = "review_approved", "审核通过"
    REVIEW_RETURNED = "review_returned", "审核退回"
    DOCUMENTS_REQUESTED = "documents_requested", "发起资料补充"
    DOCUMENTS_FULFILLED = "documents_fulfilled", "资料补齐"
    REPORT_ISSUED = "report_issued", "出具公估报告"
    CLOSED = "closed", "结案"
    CANCELLED = "cancelled", "注销"
    DELEGATION_REQUESTED = "delegation_requested", "委托异地"
    DELEGATION_ACCEPTED = "delegation_accepted", "接收委托"
    DELEGATION_REFUSED = "delegation_refused", "拒绝委托"
    DELEGATION_CANCELLED = "delegation_cancelled", "撤回委托"
    DELEGATION_RETURNED = "delegation_returned", "退回委托"
    CALLBACK_CREATED = "callback_created", "生成回访任务"
    CALLBACK_COMPLETED = "callback_completed", "完成客户回访"
    FEE_COMPUTED = "fee_computed", "计算公估费"
    FEE_ADJUSTMENT_REQUESTED = "fee_adjustment_requested", "申请调整公估费"
    FEE_ADJUSTMENT_APPROVED = "fee_adjustment_approved", "批准公估费调整"
    FEE_ADJUSTMENT_REFUSED = "fee_adjustment_refused", "驳回公估费调整"
    ALERT_RAISED = "alert_raised", "触发风险预警"
    ALERT_RESOLVED = "alert_resolved", "处理风险预警"
    RESCUE_RECORDED = "rescue_recorded", "记录救援"
    RESURVEY_RECORDED = "resurvey_recorded", "记录复勘"
