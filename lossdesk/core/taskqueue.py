"""The database task queue (django-tasks-db) under a Chinese name: the admin and the
positions' permission list show an app's name to the firm's staff."""

from django_tasks_db.apps import TasksAppConfig


class TaskQueueConfig(TasksAppConfig):
    verbose_name = "后台任务队列"
